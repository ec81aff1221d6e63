local Downloads = require "Downloads"

local function job(fields)
  local j = { id = "j1", model = "gemma3:12b", status = "downloading", completed_bytes = 0, total_bytes = 8149190253,
    percent = 0, bytes_per_second = 0 }
  for k, v in pairs(fields) do j[k] = v end
  return j
end

describe("Downloads", function()
  it("tells running jobs from finished ones", function()
    for _, s in ipairs({ "queued", "downloading", "verifying" }) do
      assert.is_true(Downloads.isActive(s))
      assert.is_false(Downloads.isFinished(s))
    end
    for _, s in ipairs({ "completed", "failed", "cancelled", "interrupted" }) do
      assert.is_false(Downloads.isActive(s))
      assert.is_true(Downloads.isFinished(s))
    end
    assert.is_true(Downloads.canResume(job { status = "interrupted" }))
    assert.is_false(Downloads.canResume(job { status = "completed" }))
    assert.is_false(Downloads.canResume(nil))
  end)

  it("titles the progress with the model and its size", function()
    assert.are.equal("Downloading Gemma 3 12B (8.1 GB)", Downloads.title("Gemma 3 12B", 8149190253))
    assert.are.equal("Downloading x", Downloads.title("x", nil))
  end)

  it("captions progress with percent, bytes, speed and time left", function()
    local caption = Downloads.caption(job { percent = 42.7, completed_bytes = 3.48e9, bytes_per_second = 35.2e6, eta_seconds = 130 })
    assert.are.equal("42% · 3.5 GB of 8.1 GB · 35.2 MB/s · about 2 min left", caption)
    assert.are.equal("0% · 0 bytes of 8.1 GB", Downloads.caption(job {}))
    assert.are.equal("Waiting to start…", Downloads.caption(job { status = "queued" }))
    assert.are.equal("Checking the downloaded files…", Downloads.caption(job { status = "verifying" }))
  end)

  it("reads the portion from percent, or from bytes when percent is missing", function()
    assert.are.equal(0.5, Downloads.portion(job { percent = 50 }))
    assert.are.equal(0.25, Downloads.portion({ completed_bytes = 1, total_bytes = 4 }))
    assert.are.equal(0, Downloads.portion({}))
    assert.are.equal(1, Downloads.portion(job { percent = 140 }))
  end)

  it("lists jobs one line each", function()
    assert.are.equal("gemma3:12b — downloading: 10% · 815 MB of 8.1 GB", Downloads.line(job { percent = 10, completed_bytes = 815e6 }))
    assert.are.equal("gemma3:12b — waiting to start", Downloads.line(job { status = "queued" }))
    assert.are.equal("gemma3:12b — completed (8.1 GB)", Downloads.line(job { status = "completed", percent = 100 }))
    assert.are.equal("gemma3:12b — failed: Disk full.", Downloads.line(job { status = "failed", error = "Disk full." }))
    assert.are.equal("gemma3:12b — interrupted (stopped at 30%)", Downloads.line(job { status = "interrupted", percent = 30 }))
    local items = Downloads.items({ job {}, job { id = "j2", model = "llava:7b", status = "cancelled" } })
    assert.are.equal(2, #items)
    assert.are.equal("j2", items[2].value)
    assert.are.equal("llava:7b", Downloads.findJob({ job { id = "j2", model = "llava:7b" } }, "j2").model)
  end)

  it("says how a download ended", function()
    local m, info, style = Downloads.endMessage(job { status = "completed" }, "Gemma 3 12B")
    assert.are.equal("Gemma 3 12B is downloaded and ready to use.", m)
    assert.is_nil(info)
    assert.are.equal("info", style)
    m, info, style = Downloads.endMessage(job { status = "failed", error = "Ollama stopped." }, "Gemma 3 12B")
    assert.matches("failed", m)
    assert.are.equal("Ollama stopped.", info)
    assert.are.equal("critical", style)
    local _, interruptedInfo = Downloads.endMessage(job { status = "interrupted" }, "G")
    assert.matches("resume", interruptedInfo)
    assert.is_nil(Downloads.endMessage(job { status = "downloading" }, "G"))
  end)
end)
