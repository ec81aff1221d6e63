-- RunRecorder and the runs routes of DaemonClient: what goes over the wire, in which requests.
local sdk = require "sdk"
local Json = require "Json"
local DaemonClient = require "DaemonClient"
local FakeRuns = require "support.fakeruns"
local RunRecorder = require "RunRecorder"

-- An LrHttp stand-in that records each request and answers `reply(method, url, body)` as JSON.
local function recordingHttp(reply)
  local http = { requests = {} }
  local function answer(method, url, body)
    http.requests[#http.requests + 1] = { method = method, url = url, body = body and Json.decode(body) or nil }
    local status, decoded = reply(method, url)
    return Json.encode(decoded), { status = status }
  end
  function http.get(url) return answer("GET", url) end
  function http.post(url, body, _, method) return answer(method or "POST", url, body) end
  return http
end

describe("the runs routes of DaemonClient", function()
  before_each(function() sdk.reset() end)

  it("speak the daemon's paths and bodies", function()
    local http = recordingHttp(function(method, url)
      if method == "POST" and string.find(url, "/undo$") then return 409, { success = false, error = "This AI run was undone already.", code = "RUN_ALREADY_UNDONE" } end
      return 200, { success = true, run = { id = "r 1" }, runs = {}, count = 0 }
    end)
    local client = DaemonClient.new({ http = http, baseUrl = "http://127.0.0.1:5100" })
    assert.are.equal("r 1", client:createRun({ kind = "apply", model = Json.null }).run.id)
    client:addRunChanges("r 1", Json.array({ { photo_id = "7", field = "rating", before = Json.null, after = 4 } }))
    client:listRuns(20)
    client:getRun("r 1")
    local answer, err = client:undoRun("r 1", Json.array({ { photo_id = "7", field = "rating", outcome = "restored" } }))
    assert.is_nil(answer)
    assert.are.same({ code = "RUN_ALREADY_UNDONE", status = 409 }, { code = err.code, status = err.status })
    local seen = {}
    for _, r in ipairs(http.requests) do seen[#seen + 1] = r.method .. " " .. string.gsub(r.url, "^http://127%.0%.0%.1:5100", "") end
    assert.are.same({ "POST /api/runs", "POST /api/runs/r%201/changes", "GET /api/runs?limit=20", "GET /api/runs/r%201", "POST /api/runs/r%201/undo" }, seen)
    assert.are.same({ kind = "apply" }, http.requests[1].body) -- null members are left out on decoding
    assert.are.same({ changes = { { photo_id = "7", field = "rating", after = 4 } } }, http.requests[2].body)
    assert.are.same({ outcomes = { { photo_id = "7", field = "rating", outcome = "restored" } } }, http.requests[5].body)
  end)
end)

describe("RunRecorder", function()
  it("opens the run with the first flush and sends at most 1000 changes a request", function()
    local runs = FakeRuns.new()
    local recorder = RunRecorder.new({ client = runs, kind = "evaluate", source = "export" })
    for i = 1, 2345 do recorder:add({ photo_id = tostring(i), field = "rating", after = 3 }, "gemma3:4b") end
    assert.is_true(recorder:flush())
    assert.are.same({ kind = "evaluate", model = "gemma3:4b", source = "export" }, runs:callsOf("createRun")[1].body)
    local sizes = {}
    for _, c in ipairs(runs:callsOf("addRunChanges")) do sizes[#sizes + 1] = #c.body.changes end
    assert.are.same({ 1000, 1000, 345 }, sizes)
    assert.are.equal(2345, recorder.recorded)
    -- Nothing new: no request.
    assert.is_true(recorder:flush())
    assert.are.equal(3, #runs:callsOf("addRunChanges"))
    -- Keyword changes carry their lists, empty ones as arrays.
    recorder:add({ photo_id = "1", field = "keywords", before = {}, after = { "Junmai AI|dog" }, keywords_added = { "Junmai AI|dog" }, keywords_created = {} })
    recorder:flush()
    assert.are.same({ photo_id = "1", field = "keywords", before = {}, after = { "Junmai AI|dog" }, keywords_added = { "Junmai AI|dog" }, keywords_created = {} },
      runs:callsOf("addRunChanges")[4].body.changes[1])
    assert.are.equal(1, #runs:callsOf("createRun"))
  end)

  it("sends a photo and field added twice before a flush as one change, as the daemon requires", function()
    local runs = FakeRuns.new()
    local recorder = RunRecorder.new({ client = runs, kind = "apply" })
    recorder:add({ photo_id = "1", field = "rating", before = 2, after = 4 })
    recorder:add({ photo_id = "1", field = "keywords", before = { "a" }, after = { "a", "Junmai AI|dog" }, keywords_added = { "Junmai AI|dog" }, keywords_created = { "Junmai AI|dog" } })
    recorder:add({ photo_id = "1", field = "rating", before = 4, after = 5 })
    recorder:add({ photo_id = "1", field = "keywords", before = { "a", "Junmai AI|dog" }, after = { "a", "Junmai AI|cat", "Junmai AI|dog" }, keywords_added = { "Junmai AI|cat" }, keywords_created = {} })
    assert.is_true(recorder:flush())
    assert.are.equal(2, recorder.recorded)
    assert.are.same({
      { photo_id = "1", field = "rating", before = 2, after = 5 },
      { photo_id = "1", field = "keywords", before = { "a" }, after = { "a", "Junmai AI|cat", "Junmai AI|dog" },
        keywords_added = { "Junmai AI|dog", "Junmai AI|cat" }, keywords_created = { "Junmai AI|dog" } },
    }, runs:callsOf("addRunChanges")[1].body.changes)
  end)

  it("goes on in a new run where the daemon would refuse the run more changes", function()
    local runs = FakeRuns.new()
    local maxPerRun, fakeMax = RunRecorder.MAX_PER_RUN, FakeRuns.MAX_CHANGES_PER_RUN
    RunRecorder.MAX_PER_RUN, FakeRuns.MAX_CHANGES_PER_RUN = 2500, 2500
    local recorder = RunRecorder.new({ client = runs, kind = "evaluate", source = "export" })
    for i = 1, 2000 do recorder:add({ photo_id = tostring(i), field = "rating", after = 3 }, "gemma3:4b") end
    local first = recorder:flush()
    for i = 2001, 3200 do recorder:add({ photo_id = tostring(i), field = "rating", after = 3 }) end
    local second = recorder:flush()
    RunRecorder.MAX_PER_RUN, FakeRuns.MAX_CHANGES_PER_RUN = maxPerRun, fakeMax
    assert.is_true(first)
    assert.is_true(second)
    assert.are.equal(3200, recorder.recorded)
    assert.are.equal(0, recorder.failed)
    local perRun = {}
    for _, c in ipairs(runs:callsOf("addRunChanges")) do perRun[#perRun + 1] = c.id .. ":" .. #c.body.changes end
    assert.are.same({ "run-1:1000", "run-1:1000", "run-2:1000", "run-2:200" }, perRun)
    assert.are.same({ kind = "evaluate", model = "gemma3:4b", source = "export" }, runs:callsOf("createRun")[2].body)
  end)

  it("counts what the daemon did not take, and never raises", function()
    local runs = FakeRuns.new()
    runs.down = true
    local recorder = RunRecorder.new({ client = runs, kind = "apply" })
    recorder:add({ photo_id = "1", field = "title", before = "A", after = "B" })
    recorder:add({ photo_id = "2", field = "title", after = "B" })
    local ok, err = recorder:flush()
    assert.is_nil(ok)
    assert.are.equal("DAEMON_DOWN", err.code)
    assert.are.equal(2, recorder.failed)
    assert.are.equal(0, recorder.recorded)
  end)
end)
