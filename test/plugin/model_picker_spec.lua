-- The picker's decisions on fixed facts shaped like the daemon's answers.
local ModelPicker = require "ModelPicker"

local GiB = 1024 ^ 3

-- Stands for the daemon's null (the field left out), since a nil in a table constructor is no field.
local NULL = {}

local function model(fields)
  local m = {
    name = "x:1b", display_name = "X 1B", purpose = "balanced", vision = true, installed = false,
    is_current = false, size_bytes = 1e9, min_vram_gb = 2, usage_count = 0,
    description = "A model.", recommended_use = "Testing.",
  }
  for k, v in pairs(fields) do
    if v == NULL then m[k] = nil else m[k] = v end
  end
  return m
end

local function facts()
  return {
    models = {
      model { name = "gemma3:4b", display_name = "Gemma 3 4B", installed = true, is_current = true, size_bytes = 3338801804, min_vram_gb = 5.2,
        usage_count = 120, success_rate = 0.975 },
      model { name = "llama3.1:8b", display_name = "Llama 3.1 8B", vision = false, installed = true, size_bytes = 4920753328, min_vram_gb = 6.3 },
      model { name = "gemma3:12b", display_name = "Gemma 3 12B", purpose = "quality", size_bytes = 8149190253, min_vram_gb = 10.5 },
      model { name = "llama3.1:70b", display_name = "Llama 3.1 70B", purpose = "quality", vision = false, size_bytes = 42520413916, min_vram_gb = 45 },
      model { name = "moondream:1.8b", display_name = "Moondream 2", purpose = "specialized", size_bytes = 1738451197, min_vram_gb = 2.8 },
      model { name = "custom:latest", display_name = "custom:latest", purpose = NULL, installed = true, size_bytes = NULL, min_vram_gb = NULL },
    },
    currentModel = "gemma3:4b",
    recommended = "gemma3:4b",
    hardware = { gpu_memory_bytes = 8 * GiB, offload_memory_bytes = 24 * GiB },
    checks = {
      ["gemma3:12b"] = { fit = "fits_with_offload", estimate = { total_gb = 9.75 }, message = "gemma3:12b needs about 9.75 GB." },
    },
  }
end

describe("ModelPicker", function()
  local rows
  before_each(function() rows = ModelPicker.buildRows(facts()) end)

  it("builds one row per model with what the list shows", function()
    assert.are.equal(6, #rows)
    local gemma = rows[1]
    assert.are.equal("gemma3:4b", gemma.name)
    assert.is_true(gemma.current)
    assert.is_true(gemma.recommended)
    assert.is_true(gemma.installed)
    assert.is_true(gemma.vision)
    assert.are.equal("3.3 GB", gemma.sizeText)
    assert.are.equal("5.2 GB", gemma.memoryText)
    assert.are.equal("gpu", gemma.fit)
  end)

  it("takes the daemon's fit verdict and memory estimate when it has one", function()
    local row = ModelPicker.findRow(rows, "gemma3:12b")
    assert.are.equal("offload", row.fit)
    assert.are.equal("9.8 GB", row.memoryText)
    assert.matches("9.75 GB", ModelPicker.details(row))
  end)

  it("judges fit from memory needs when the daemon's check is missing", function()
    assert.are.equal("too_big", ModelPicker.findRow(rows, "llama3.1:70b").fit)
    assert.are.equal("gpu", ModelPicker.findRow(rows, "moondream:1.8b").fit)
    assert.are.equal("unknown", ModelPicker.findRow(rows, "custom:latest").fit)
    assert.are.equal("offload", ModelPicker.fitOf({ min_vram_gb = 3 }, { gpu_memory_bytes = 0, offload_memory_bytes = 16 * GiB }))
    assert.are.equal("unknown", ModelPicker.fitOf({ min_vram_gb = 3 }, nil))
  end)

  it("marks the model in use and the recommended one in the list", function()
    local title = ModelPicker.rowTitle(rows[1])
    assert.matches("^● ★ Gemma 3 4B — Balanced", title)
    assert.matches("3.3 GB download", title)
    assert.matches("needs 5.2 GB", title)
    assert.matches("sees photos", title)
    assert.matches("· installed", title)
    assert.matches("fits this computer", title)
    local llama = ModelPicker.rowTitle(ModelPicker.findRow(rows, "llama3.1:70b"))
    assert.matches("^Llama 3.1 70B", llama)
    assert.matches("text only", llama)
    assert.matches("not installed", llama)
    assert.matches("too big for this computer", llama)
    assert.matches("Custom", ModelPicker.rowTitle(ModelPicker.findRow(rows, "custom:latest")))
  end)

  it("filters by purpose, installed and vision, together", function()
    local function names(list)
      local out = {}
      for _, r in ipairs(list) do out[#out + 1] = r.name end
      return out
    end
    assert.are.same({ "gemma3:12b", "llama3.1:70b" }, names(ModelPicker.filterRows(rows, { purpose = "quality" })))
    assert.are.same({ "gemma3:4b", "llama3.1:8b", "custom:latest" }, names(ModelPicker.filterRows(rows, { installedOnly = true })))
    assert.are.same({ "gemma3:4b", "gemma3:12b", "moondream:1.8b", "custom:latest" }, names(ModelPicker.filterRows(rows, { visionOnly = true })))
    assert.are.same({ "gemma3:4b" }, names(ModelPicker.filterRows(rows, { purpose = "balanced", installedOnly = true, visionOnly = true })))
    assert.are.equal(6, #ModelPicker.filterRows(rows, { purpose = "all" }))
  end)

  it("offers every purpose in the filter, and all of them first", function()
    local items = ModelPicker.purposeItems()
    assert.are.same({ "all", "speed", "balanced", "quality", "specialized" },
      { items[1].value, items[2].value, items[3].value, items[4].value, items[5].value })
  end)

  it("decides what choosing a row means", function()
    assert.are.equal("current", ModelPicker.decide(rows[1]).kind)
    assert.are.equal("switch", ModelPicker.decide(ModelPicker.findRow(rows, "llama3.1:8b")).kind)
    local download = ModelPicker.decide(ModelPicker.findRow(rows, "gemma3:12b"))
    assert.are.equal("download", download.kind)
    assert.is_nil(download.warning)
    local tooBig = ModelPicker.decide(ModelPicker.findRow(rows, "llama3.1:70b"))
    assert.are.equal("download", tooBig.kind)
    assert.matches("more than this computer has", tooBig.warning)
    assert.are.equal("none", ModelPicker.decide(nil).kind)
  end)

  it("says under the list what the button will do", function()
    assert.matches("is the model in use", ModelPicker.actionHint(rows[1]))
    assert.matches("switches to Llama 3.1 8B", ModelPicker.actionHint(ModelPicker.findRow(rows, "llama3.1:8b")))
    assert.matches("offers to download it %(8.1 GB%)", ModelPicker.actionHint(ModelPicker.findRow(rows, "gemma3:12b")))
    assert.matches("Select a model", ModelPicker.actionHint(nil))
  end)

  it("describes the selected model with its measured figures", function()
    local text = ModelPicker.details(rows[1])
    assert.matches("Gemma 3 4B %(gemma3:4b%) — Balanced", text)
    assert.matches("Best for: Testing.", text)
    assert.matches("Measured here: 120 photos, 98%% succeeded", text)
    assert.are.equal("", ModelPicker.details(nil))
  end)

  it("sums up the current model with photos, median time and success rate", function()
    local text = ModelPicker.currentSummary("gemma3:4b", { display_name = "Gemma 3 4B" },
      { count = 1250, p50_ms = 2430, success_rate = 0.984 })
    assert.are.equal("Now using Gemma 3 4B (gemma3:4b). 1,250 photos evaluated, median 2.4 s per photo, 98% succeeded.", text)
    assert.matches("No photos evaluated with it yet", ModelPicker.currentSummary("gemma3:4b", nil, nil))
    assert.matches("No model is chosen yet", ModelPicker.currentSummary(nil))
  end)

  it("asks before a download with its size, and free disk when known", function()
    local row = ModelPicker.findRow(rows, "gemma3:12b")
    local message, info = ModelPicker.downloadQuestion(row, nil)
    assert.are.equal("Download Gemma 3 12B?", message)
    assert.matches("is a 8.1 GB download", info)
    assert.matches("cannot tell how much disk space is free", info)
    local _, known = ModelPicker.downloadQuestion(row, 120e9)
    assert.matches("has 120 GB free", known)
    assert.not_matches("cannot tell", known)
    local _, short = ModelPicker.downloadQuestion(row, 2e9)
    assert.matches("not enough", short)
    local _, big = ModelPicker.downloadQuestion(ModelPicker.findRow(rows, "llama3.1:70b"), nil)
    assert.matches("more than this computer has", big)
  end)
end)
