-- DownloadMonitor with a scripted client: the paths the real daemon reaches only by chance.
local sdk = require "sdk"
local DownloadMonitor = require "DownloadMonitor"

local LrTasks = sdk.import "LrTasks"
local LrDialogs = sdk.import "LrDialogs"
local LrProgressScope = sdk.import "LrProgressScope"

-- A client whose download(id) answers from a list, one per poll.
local function scripted(answers)
  local c = { polls = 0, cancelled = {}, switched = {} }
  function c.download(_, id)
    c.polls = c.polls + 1
    local a = answers[math.min(c.polls, #answers)]
    if a.err then return nil, a.err end
    a.id = id
    a.model = "gemma3:12b"
    return { success = true, job = a }
  end
  function c.cancelDownload(_, id)
    c.cancelled[#c.cancelled + 1] = id
    return { success = true, job = { id = id, status = "cancelled" } }
  end
  function c.switchModel(_, name)
    c.switched[#c.switched + 1] = name
    return { success = true, message = "Switched." }
  end
  return c
end

local function deps(client, extra)
  local d = { client = client, LrTasks = LrTasks, LrProgressScope = LrProgressScope, LrDialogs = LrDialogs,
    pollSeconds = 0.01, label = "Gemma 3 12B", sizeBytes = 8149190253 }
  for k, v in pairs(extra or {}) do d[k] = v end
  return d
end

local function start(status)
  return { id = "job-1", model = "gemma3:12b", status = status or "queued", percent = 0, total_bytes = 8149190253 }
end

describe("DownloadMonitor", function()
  before_each(function()
    sdk.reset()
    DownloadMonitor._reset()
  end)

  it("follows a job to the end and tells it was downloaded", function()
    local client = scripted({
      { status = "downloading", percent = 25, completed_bytes = 2e9, total_bytes = 8149190253, bytes_per_second = 50e6, eta_seconds = 120 },
      { status = "verifying", percent = 100 },
      { status = "completed", percent = 100, completed_bytes = 8149190253, total_bytes = 8149190253 },
    })
    local outcome
    DownloadMonitor.watch(deps(client, { onEnd = function(o) outcome = o end }), start())
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.equal("completed", outcome)
    local scope = LrProgressScope._scopes[1]
    assert.are.equal("Downloading Gemma 3 12B (8.1 GB)", scope.title)
    assert.are.same({ 0, 0.25, 1, 1 }, scope.portions)
    assert.are.same({ "Waiting to start…", "25% · 2 GB of 8.1 GB · 50 MB/s · about 2 min left",
      "Checking the downloaded files…", "100% · 8.1 GB of 8.1 GB" }, scope.captions)
    assert.is_true(scope.finished)
    assert.are.equal("Gemma 3 12B is downloaded and ready to use.", LrDialogs._last("bezel").message)
  end)

  it("offers to use the model when asked to, and switches on yes", function()
    local client = scripted({ { status = "completed", percent = 100 } })
    LrDialogs._respond("ok")
    DownloadMonitor.watch(deps(client, { offerSwitch = true }), start("downloading"))
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.same({ "gemma3:12b" }, client.switched)
    assert.are.equal("Now using Gemma 3 12B.", LrDialogs._last("bezel").message)
  end)

  it("shows the daemon's reason when a download fails", function()
    local client = scripted({ { status = "failed", percent = 40, error = "The disk holding Ollama's models is full." } })
    DownloadMonitor.watch(deps(client), start("downloading"))
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    local shown = LrDialogs._last("message")
    assert.are.equal("The download of Gemma 3 12B failed.", shown.message)
    assert.are.equal("The disk holding Ollama's models is full.", shown.info)
  end)

  it("cancels the job when the progress is cancelled, and says nothing more", function()
    local client = scripted({ { status = "downloading", percent = 10 } })
    DownloadMonitor.watch(deps(client, { pollSeconds = 0.05 }), start("downloading"))
    local scope = LrProgressScope._scopes[1]
    scope:cancel()
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.same({ "job-1" }, client.cancelled)
    assert.is_true(scope.finished)
    assert.is_nil(LrDialogs._last("message"))
  end)

  it("keeps going through a brief loss of the daemon", function()
    local down = { err = { message = "The Junmai daemon is not running.", code = "DAEMON_DOWN" } }
    local client = scripted({ down, down, { status = "completed", percent = 100 } })
    local outcome
    DownloadMonitor.watch(deps(client, { onEnd = function(o) outcome = o end }), start("downloading"))
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.equal("completed", outcome)
  end)

  it("watches a job once, however often it is asked to", function()
    local client = scripted({ { status = "downloading", percent = 10 }, { status = "completed", percent = 100 } })
    assert.is_true(DownloadMonitor.watch(deps(client), start("downloading")))
    assert.is_false(DownloadMonitor.watch(deps(client), start("downloading")))
    assert.are.equal(1, #LrProgressScope._scopes)
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.is_false(DownloadMonitor.isWatching("job-1"))
  end)

  it("gives up on answers that carry no job, and says so without a stray word", function()
    local client = { download = function() return { success = true } end }
    local outcome
    DownloadMonitor.watch(deps(client, { onEnd = function(o) outcome = o end }), start("downloading"))
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.equal("lost", outcome)
    local shown = LrDialogs._last("message")
    assert.are.equal("Junmai lost track of the download of Gemma 3 12B.", shown.message)
    assert.are.equal("The daemon may still be downloading; File › Plug-in Extras › AI Model Downloads… shows where it stands.", shown.info)
  end)

  it("turns a programming error into a plain sentence, not Lua text", function()
    local client = { download = function() error("attempt to index a nil value") end }
    local outcome
    DownloadMonitor.watch(deps(client, { onEnd = function(o) outcome = o end }), start("downloading"))
    assert.is_true(sdk.runTasks({ timeout = 5 }))
    assert.are.equal("error", outcome)
    local shown = LrDialogs._last("message")
    assert.are.equal("Junmai stopped showing the progress of Gemma 3 12B.", shown.message)
    assert.not_matches("nil value", shown.info)
    assert.are.equal(0, #LrTasks._errors)
    assert.is_true(LrProgressScope._scopes[1].finished)
  end)
end)
