--[[
The plug-in when things are not right: a real daemon that requires a token and whose Ollama is
not running, then the same daemon stopped while a download is being watched.
]]
local sdk = require "sdk"
local Daemon = require "support.daemon"
local Ui = require "support.ui"

local LrBinding = sdk.import "LrBinding"
local LrDialogs = sdk.import "LrDialogs"
local LrHttp = sdk.import "LrHttp"
local LrPrefs = sdk.import "LrPrefs"
local LrProgressScope = sdk.import "LrProgressScope"
local LrTasks = sdk.import "LrTasks"
local LrView = sdk.import "LrView"

local TOKEN = "junmai-spec-token-0123456789-abcdefghij"

describe("with a daemon whose Ollama is down and that wants a token", function()
  local daemon, closedOllama
  local PluginInfoProvider, ChooseModelDialog, DaemonSession, DownloadMonitor

  setup(function()
    closedOllama = "http://127.0.0.1:" .. Daemon.freePort()
    daemon = Daemon.startAlone({ ollamaUrl = closedOllama, token = TOKEN })
    PluginInfoProvider = require "PluginInfoProvider"
    ChooseModelDialog = require "ChooseModelDialog"
    DaemonSession = require "DaemonSession"
    DownloadMonitor = require "DownloadMonitor"
  end)

  teardown(function()
    if daemon then daemon.stop() end
  end)

  before_each(function()
    sdk.reset()
    DownloadMonitor._reset()
    LrPrefs.prefsForPlugin().daemonUrl = daemon.url
    LrPrefs.prefsForPlugin().token = TOKEN
  end)

  local function managerSection()
    local props = LrBinding.makePropertyTable()
    local section = PluginInfoProvider.sectionsForTopOfDialog(LrView.osFactory(), props)[1]
    assert.is_true(sdk.runTasks({ timeout = 15 }))
    return props, section
  end

  it("says, without the token, that one is needed and where to enter it", function()
    LrPrefs.prefsForPlugin().token = ""
    local props = managerSection()
    assert.are.equal('This request needs the Junmai access token: send it as "Authorization: Bearer <token>". ' ..
      "The token is in the daemon's data folder. Enter the access token in File › Plug-in Manager › Junmai AutoDev.", props.daemonStatus)
    assert.is_nil(LrHttp._requests[1].headers.Authorization)
  end)

  it("saves a typed token and then shows that Ollama is not reachable", function()
    LrPrefs.prefsForPlugin().token = ""
    local props, section = managerSection()
    LrView._set(Ui.find(section, { _type = "password_field" }), TOKEN)
    assert.is_true(sdk.runTasks({ timeout = 15 }))
    assert.are.equal(TOKEN, LrPrefs.prefsForPlugin().token)
    assert.are.equal("Bearer " .. TOKEN, LrHttp._requests[#LrHttp._requests].headers.Authorization)
    assert.matches("^Answering at ", props.daemonStatus)
    assert.are.equal("Not reachable at " .. closedOllama .. ". Ollama is not reachable at " .. closedOllama ..
      ". Start Ollama (or check OLLAMA_HOST) and try again.", props.ollamaStatus)
    assert.are.equal("None chosen yet — use Choose AI Model…", props.currentModelText)
  end)

  it("still lists the catalog, and a download fails with the daemon's sentence", function()
    LrDialogs._respond(function(shown)
      assert.are.equal(13, #Ui.items(shown.contents))
      Ui.select(shown.contents, "moondream:1.8b")
      return "ok"
    end)
    LrDialogs._respond("ok")
    assert.are.equal("download", Ui.run(ChooseModelDialog.run, { timeout = 30 }))
    local scope = LrProgressScope._scopes[1]
    assert.are.equal("Downloading Moondream 2 (1.7 GB)", scope.title)
    assert.is_true(scope.finished)
    local failed = LrDialogs._last("message")
    assert.are.equal("The download of Moondream 2 failed.", failed.message)
    assert.are.equal("Ollama is not reachable at " .. closedOllama .. ". Start Ollama (or check OLLAMA_HOST) and try again.", failed.info)
    assert.are.equal("critical", failed.style)
  end)

  it("refuses to switch to a model that is not installed, in the daemon's words", function()
    local _, err = Ui.call(function() return DaemonSession.client():switchModel("gemma3:4b") end)
    assert.are.equal("MODEL_NOT_INSTALLED", err.code)
    assert.are.equal("Gemma 3 4B is not downloaded yet. Download it first, then switch to it.", err.message)
  end)

  describe("then the daemon stops", function()
    it("gives up watching a download after a few failed polls, in a sentence", function()
      daemon.stop()
      local ended
      DownloadMonitor.watch({
        client = DaemonSession.client(), LrTasks = LrTasks, LrProgressScope = LrProgressScope, LrDialogs = LrDialogs,
        label = "Gemma 3 12B", pollSeconds = 0.05, onEnd = function(outcome) ended = outcome end,
      }, { id = "job-1", model = "gemma3:12b", status = "downloading", percent = 40, total_bytes = 8149190253 })
      assert.is_true(DownloadMonitor.isWatching("job-1"))
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.equal("lost", ended)
      assert.is_false(DownloadMonitor.isWatching("job-1"))
      local shown = LrDialogs._last("message")
      assert.are.equal("Junmai lost track of the download of Gemma 3 12B.", shown.message)
      assert.matches("^The Junmai daemon is not running at " .. daemon.url:gsub("%p", "%%%0"), shown.info)
      assert.matches("AI Model Downloads… shows where it stands.", shown.info, 1, true)
      assert.is_true(LrProgressScope._scopes[1].finished)
    end)

    it("says in the Plug-in Manager that the daemon is not running", function()
      local props = managerSection()
      assert.are.equal("The Junmai daemon is not running at " .. daemon.url ..
        " — start it with `npm start` (or the Junmai login item).", props.daemonStatus)
      assert.are.equal("Unknown until the daemon answers.", props.currentModelText)
    end)
  end)
end)
