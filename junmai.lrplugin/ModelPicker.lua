--[[
Everything "Choose AI Model…" decides, without any UI: which facts to fetch, the rows of the
list, the filters, the texts, and what choosing a row means. The dialog only shows and asks.
]]
local Format = require "Format"
local DaemonErrors = require "DaemonErrors"

local ModelPicker = {}

-- The daemon counts memory in GiB (and labels it GB, as Ollama does).
local GiB = 1024 * 1024 * 1024

ModelPicker.PURPOSES = { "speed", "balanced", "quality", "specialized" }

function ModelPicker.purposeLabel(purpose)
  if purpose == "speed" then return LOC "$$$/Junmai/Purpose/Speed=Speed" end
  if purpose == "balanced" then return LOC "$$$/Junmai/Purpose/Balanced=Balanced" end
  if purpose == "quality" then return LOC "$$$/Junmai/Purpose/Quality=Quality" end
  if purpose == "specialized" then return LOC "$$$/Junmai/Purpose/Specialized=Specialized" end
  return LOC "$$$/Junmai/Purpose/Custom=Custom"
end

-- Items for the purpose filter's popup menu.
function ModelPicker.purposeItems()
  local items = { { title = LOC "$$$/Junmai/Purpose/All=All purposes", value = "all" } }
  for _, p in ipairs(ModelPicker.PURPOSES) do
    items[#items + 1] = { title = ModelPicker.purposeLabel(p), value = p }
  end
  return items
end

local DAEMON_FITS = { fits_gpu = "gpu", fits_with_offload = "offload", does_not_fit = "too_big" }

--[[
Whether a model fits this computer: "gpu", "offload", "too_big" or "unknown".
The daemon's own check (check_compatibility) is the authority; without it, the model's memory
need is weighed like the daemon does, against the GPU's memory and then GPU plus system memory.
]]
function ModelPicker.fitOf(model, hardware, check)
  if type(check) == "table" and DAEMON_FITS[check.fit] then return DAEMON_FITS[check.fit] end
  local need = tonumber(model.min_vram_gb)
  if not need or type(hardware) ~= "table" then return "unknown" end
  local gpu = (tonumber(hardware.gpu_memory_bytes) or 0) / GiB
  local offload = (tonumber(hardware.offload_memory_bytes) or 0) / GiB
  if gpu > 0 and need <= gpu then return "gpu" end
  if need <= gpu + offload then return "offload" end
  return "too_big"
end

function ModelPicker.fitLabel(fit)
  if fit == "gpu" then return LOC "$$$/Junmai/Fit/Gpu=fits this computer" end
  if fit == "offload" then return LOC "$$$/Junmai/Fit/Offload=fits, partly on the CPU (slower)" end
  if fit == "too_big" then return LOC "$$$/Junmai/Fit/TooBig=too big for this computer" end
  return LOC "$$$/Junmai/Fit/Unknown=fit unknown"
end

--[[
facts: {models = [ModelView], currentModel = name|nil, recommended = name|nil, hardware = {...}|nil,
        checks = {[name] = check_compatibility answer}|nil}
Returns one row per model, in the daemon's order, with everything the list and details show.
]]
function ModelPicker.buildRows(facts)
  local rows = {}
  for _, m in ipairs(facts.models or {}) do
    local check = facts.checks and facts.checks[m.name] or nil
    local fit = ModelPicker.fitOf(m, facts.hardware, check)
    local needGb = check and check.estimate and tonumber(check.estimate.total_gb) or tonumber(m.min_vram_gb)
    rows[#rows + 1] = {
      name = m.name,
      label = m.display_name or m.name,
      purpose = m.purpose,
      purposeLabel = ModelPicker.purposeLabel(m.purpose),
      sizeBytes = tonumber(m.size_bytes),
      sizeText = Format.bytes(m.size_bytes),
      memoryText = Format.gigabytes(needGb),
      vision = m.vision == true,
      installed = m.installed == true,
      current = m.is_current == true or (facts.currentModel ~= nil and facts.currentModel == m.name),
      recommended = facts.recommended ~= nil and facts.recommended == m.name,
      fit = fit,
      fitText = ModelPicker.fitLabel(fit),
      fitMessage = check and check.message or nil,
      description = m.description,
      recommendedUse = m.recommended_use,
      model = m,
    }
  end
  return rows
end

-- filters: {purpose = "all"|purpose, installedOnly = bool, visionOnly = bool}
function ModelPicker.filterRows(rows, filters)
  filters = filters or {}
  local out = {}
  for _, row in ipairs(rows) do
    local keep = true
    if filters.purpose and filters.purpose ~= "all" and row.purpose ~= filters.purpose then keep = false end
    if filters.installedOnly and not row.installed then keep = false end
    if filters.visionOnly and not row.vision then keep = false end
    if keep then out[#out + 1] = row end
  end
  return out
end

function ModelPicker.findRow(rows, name)
  for _, row in ipairs(rows) do
    if row.name == name then return row end
  end
  return nil
end

-- One line of the list: marks first, so the eye finds the current and recommended models.
function ModelPicker.rowTitle(row)
  local marks = ""
  if row.current then marks = marks .. LOC "$$$/Junmai/Row/CurrentMark=^U+25CF " end
  if row.recommended then marks = marks .. LOC "$$$/Junmai/Row/RecommendedMark=^U+2605 " end
  local parts = {
    row.purposeLabel,
    LOC("$$$/Junmai/Row/Download=^1 download", row.sizeText),
    LOC("$$$/Junmai/Row/Memory=needs ^1", row.memoryText),
    row.vision and LOC "$$$/Junmai/Row/Vision=sees photos" or LOC "$$$/Junmai/Row/NoVision=text only",
    row.installed and LOC "$$$/Junmai/Row/Installed=installed" or LOC "$$$/Junmai/Row/NotInstalled=not installed",
    row.fitText,
  }
  return LOC("$$$/Junmai/Row/Title=^1^2 ^U+2014 ^3", marks, row.label, Format.joined(parts))
end

function ModelPicker.listItems(rows)
  local items = {}
  for _, row in ipairs(rows) do
    items[#items + 1] = { title = ModelPicker.rowTitle(row), value = row.name }
  end
  return items
end

--[[
What choosing a row means: {kind = "current"|"switch"|"download"|"none", row, warning}.
A model too big for this computer can still be downloaded, but the photographer is warned.
]]
function ModelPicker.decide(row)
  if not row then return { kind = "none" } end
  if row.current then return { kind = "current", row = row } end
  local warning = row.fit == "too_big" and ModelPicker.tooBigWarning(row) or nil
  return { kind = row.installed and "switch" or "download", row = row, warning = warning }
end

function ModelPicker.tooBigWarning(row)
  return LOC("$$$/Junmai/Picker/TooBig=^1 needs about ^2 of memory, more than this computer has; it may not run at all.", row.label, row.memoryText)
end

-- The line under the list saying what the action button will do with the selected model.
function ModelPicker.actionHint(row)
  local decision = ModelPicker.decide(row)
  if decision.kind == "none" then return LOC "$$$/Junmai/Picker/HintNone=Select a model in the list." end
  if decision.kind == "current" then return LOC("$$$/Junmai/Picker/HintCurrent=^1 is the model in use.", row.label) end
  if decision.kind == "switch" then return LOC("$$$/Junmai/Picker/HintSwitch=Choose switches to ^1 (installed).", row.label) end
  return LOC("$$$/Junmai/Picker/HintDownload=^1 is not installed: Choose offers to download it (^2).", row.label, row.sizeText)
end

-- Several lines about the selected model.
function ModelPicker.details(row)
  if not row then return "" end
  local lines = {
    LOC("$$$/Junmai/Picker/DetailTitle=^1 (^2) ^U+2014 ^3", row.label, row.name, row.purposeLabel),
  }
  if row.description and row.description ~= "" then lines[#lines + 1] = row.description end
  if row.recommendedUse and row.recommendedUse ~= "" then
    lines[#lines + 1] = LOC("$$$/Junmai/Picker/BestFor=Best for: ^1", row.recommendedUse)
  end
  lines[#lines + 1] = LOC("$$$/Junmai/Picker/SizeLine=Download ^1 ^U+00B7 needs about ^2 of memory ^U+00B7 ^3", row.sizeText, row.memoryText, row.fitText)
  if row.fitMessage then lines[#lines + 1] = row.fitMessage end
  local m = row.model or {}
  if (tonumber(m.usage_count) or 0) > 0 then
    lines[#lines + 1] = LOC("$$$/Junmai/Picker/Measured=Measured here: ^1 photos, ^2 succeeded", Format.count(m.usage_count),
      Format.rate(m.success_rate) or "?")
  end
  return table.concat(lines, "\n")
end

--[[
The current model with its measured figures. stats is the daemon's statistics entry for it
(count, p50_ms, success_rate), or nil when it has not evaluated a photo yet.
]]
function ModelPicker.currentSummary(currentModel, model, stats)
  if not currentModel then
    return LOC "$$$/Junmai/Picker/NoCurrent=No model is chosen yet. Pick one below; ^U+2605 marks the recommended one."
  end
  local label = (model and model.display_name) or currentModel
  local head = LOC("$$$/Junmai/Picker/CurrentHead=Now using ^1 (^2).", label, currentModel)
  local count = stats and tonumber(stats.count) or 0
  if count == 0 then
    return head .. " " .. LOC "$$$/Junmai/Picker/NoPhotos=No photos evaluated with it yet."
  end
  local median = stats.p50_ms and Format.secondsPerPhoto(stats.p50_ms / 1000)
  local rate = Format.rate(stats.success_rate)
  return head .. " " .. LOC("$$$/Junmai/Picker/Figures=^1 photos evaluated, median ^2 per photo, ^3 succeeded.",
    Format.count(count), median or "?", rate or "?")
end

--[[
The question before a download. freeBytes is the free space on the disk holding Ollama's models
(/api/hardware's disk_free_bytes, known when Ollama runs on this computer); without it, the size
is shown with a note to check the disk. Returns message, info.
]]
function ModelPicker.downloadQuestion(row, freeBytes)
  local message = LOC("$$$/Junmai/Picker/DownloadQ=Download ^1?", row.label)
  local info = { LOC("$$$/Junmai/Picker/DownloadSize=^1 (^2) is a ^3 download.", row.label, row.name, row.sizeText) }
  if tonumber(freeBytes) then
    info[#info + 1] = LOC("$$$/Junmai/Picker/FreeDisk=The disk holding Ollama's models has ^1 free.", Format.bytes(freeBytes))
    if row.sizeBytes and tonumber(freeBytes) < row.sizeBytes then
      info[#info + 1] = LOC "$$$/Junmai/Picker/NotEnoughDisk=That is not enough: free some space first."
    end
  else
    info[#info + 1] = LOC("$$$/Junmai/Picker/UnknownDisk=Junmai cannot tell how much disk space is free; make sure the disk holding Ollama's models has at least ^1 free.", row.sizeText)
  end
  if row.fit == "too_big" then info[#info + 1] = ModelPicker.tooBigWarning(row) end
  info[#info + 1] = LOC "$$$/Junmai/Picker/Background=The download continues in the background; its progress shows at the top left of Lightroom."
  return message, table.concat(info, " ")
end

--[[
Fetches what the dialog needs. Only the model list is essential; the rest (current model,
its statistics, hardware, fit checks, recommendation) degrade to "unknown" when they fail.
Returns facts or nil plus an error.
]]
function ModelPicker.load(client)
  local list, err = client:listModels()
  if not list then return nil, err end
  local facts = { models = list.models or {}, notes = {} }

  local current = client:currentModel()
  facts.currentModel = current and current.current_model or nil
  facts.current = current and current.model or nil
  for _, m in ipairs(facts.models) do
    if m.is_current and not facts.currentModel then facts.currentModel = m.name end
  end

  if facts.currentModel then
    local stats, statsErr = client:statistics(facts.currentModel)
    if stats and type(stats.statistics) == "table" then
      facts.stats = stats.statistics[facts.currentModel]
    elseif statsErr and statsErr.code ~= "MODEL_NOT_FOUND" then
      facts.notes[#facts.notes + 1] = DaemonErrors.describe(statsErr)
    end
  end

  local hw = client:hardware()
  facts.hardware = hw and hw.hardware or nil
  -- One check per model: each is answered locally in milliseconds, and the daemon's verdict
  -- must match what it says when the model is used.
  facts.checks = {}
  for _, m in ipairs(facts.models) do
    local check = client:checkCompatibility(m.name)
    if check then facts.checks[m.name] = check end
  end
  facts.freeDiskBytes = facts.hardware and tonumber(facts.hardware.disk_free_bytes) or nil

  local rec = client:recommend({ priority = "balanced", capability = "vision" })
  facts.recommended = rec and rec.recommended_model or nil
  facts.recommendMessage = rec and rec.message or nil

  facts.rows = ModelPicker.buildRows(facts)
  return facts
end

return ModelPicker
