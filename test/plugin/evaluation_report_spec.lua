-- What a run says at its end (EvaluationReport) and how many photos it keeps in flight (Evaluator).
local EvaluationReport = require "EvaluationReport"
local Evaluator = require "Evaluator"

local function report(fields)
  local r = { total = 0, evaluated = 0, failed = {}, skipped = 0, notEvaluated = 0, written = {}, keptPhotos = 0 }
  for k, v in pairs(fields) do r[k] = v end
  return r
end

describe("EvaluationReport", function()
  it("says what was written in a bezel when every photo went well", function()
    local s = EvaluationReport.summary(report({ evaluated = 3, written = { rating = 3, keywords = 2 }, keptPhotos = 1 }))
    assert.are.same({ kind = "bezel", message = "Junmai evaluated 3 photos. Written: ratings on 3 photos, keywords on 2 photos. Values already set were kept on 1 photo." }, s)
    s = EvaluationReport.summary(report({ evaluated = 1 }))
    assert.are.equal("Junmai evaluated 1 photo. Nothing needed changing.", s.message)
  end)

  it("names each photo that failed with its reason, up to ten, and counts the rest", function()
    local failed = {}
    for i = 1, 12 do failed[i] = { name = "IMG_" .. i .. ".CR3", message = "Ollama failed on this photo." } end
    local s = EvaluationReport.summary(report({ evaluated = 5, failed = failed, written = { rating = 5 } }))
    assert.are.equal("message", s.kind)
    assert.are.equal("warning", s.style)
    assert.are.equal("Junmai could not evaluate 12 photos.", s.message)
    local lines = {}
    for line in string.gmatch(s.info, "[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal("5 photos evaluated, 12 photos could not be:", lines[1])
    assert.are.equal("IMG_1.CR3: Ollama failed on this photo.", lines[2])
    assert.are.equal("IMG_10.CR3: Ollama failed on this photo.", lines[11])
    assert.are.equal("…and 2 more; Junmai.log has them all.", lines[12])
    assert.are.equal("Written: ratings on 5 photos.", lines[13])
  end)

  it("puts a stop's reason first, with what was and was not done", function()
    local s = EvaluationReport.summary(report({ evaluated = 2, notEvaluated = 8, written = { title = 2 },
      stopped = { code = "OLLAMA_UNREACHABLE", message = "Ollama is not reachable at http://127.0.0.1:11434. Start Ollama (or check OLLAMA_HOST) and try again." } }))
    assert.are.equal("Junmai stopped evaluating photos.", s.message)
    assert.are.equal("critical", s.style)
    assert.are.equal("Ollama is not reachable at http://127.0.0.1:11434. Start Ollama (or check OLLAMA_HOST) and try again.\n" ..
      "2 photos evaluated before it stopped, 8 photos not evaluated.\nWritten: titles on 2 photos.", s.info)
  end)

  it("adds the token hint to a stop for want of the token", function()
    local s = EvaluationReport.summary(report({ stopped = { code = "UNAUTHORIZED", message = "This request needs the Junmai access token." } }))
    assert.matches("^This request needs the Junmai access token%. Enter the access token in File › Plug%-in Manager › Junmai AutoDev%.", s.info)
  end)

  it("says what a cancel left", function()
    local s = EvaluationReport.summary(report({ cancelled = true, evaluated = 1, notEvaluated = 4, written = { rating = 1 } }))
    assert.are.same({ kind = "message", message = "Evaluation cancelled.", style = "info",
      info = "1 photo evaluated and written; 4 photos left as they were.\nWritten: ratings on 1 photo." }, s)
  end)
end)

describe("Evaluator", function()
  it("keeps the pref's number of photos in flight, else one more than the daemon runs at once, else 2", function()
    assert.are.equal(3, Evaluator.concurrency({ inFlight = 3 }, { evaluation = { concurrency = 4 } }))
    assert.are.equal(5, Evaluator.concurrency({}, { evaluation = { concurrency = 4 } }))
    assert.are.equal(8, Evaluator.concurrency({}, { evaluation = { concurrency = 64 } }))
    assert.are.equal(2, Evaluator.concurrency({}, { api_version = 1 }))
    assert.are.equal(2, Evaluator.concurrency(nil, nil))
  end)
end)
