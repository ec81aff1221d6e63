--[[
The plug-in against a real daemon (with the Ollama emulator behind it): the Plug-in Manager
section, Choose AI Model… (list, filters, switch, download with progress, cancel) and
AI Model Downloads…. Scenarios build on each other, in order, on one daemon.
]]
local sdk = require "sdk"
local Daemon = require "support.daemon"
local Ui = require "support.ui"
local Json = require "Json"
local Format = require "Format"

local LrDialogs = sdk.import "LrDialogs"
local LrHttp = sdk.import "LrHttp"
local LrPrefs = sdk.import "LrPrefs"
local LrProgressScope = sdk.import "LrProgressScope"
local LrView = sdk.import "LrView"
local LrBinding = sdk.import "LrBinding"

describe("with a running daemon", function()
  local daemon, client
  local ChooseModelDialog, DownloadsDialog, PluginInfoProvider, DaemonSession, DownloadMonitor

  setup(function()
    -- 400 MB/s: a 1.7 GB model downloads in seconds; a 17 GB one takes long enough to cancel.
    daemon = Daemon.startWithEmulator({ installed = "gemma3:4b,llama3.1:8b", bytesPerSecond = 400000000 })
    ChooseModelDialog = require "ChooseModelDialog"
    DownloadsDialog = require "DownloadsDialog"
    PluginInfoProvider = require "PluginInfoProvider"
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
    client = DaemonSession.client()
  end)

  -- One call in a task of its own, without driving the other tasks (downloads keep their pace).
  local function call(fn)
    return Ui.call(fn)
  end

  -- The list line of a model's job.
  local function lineFor(titles, model)
    for _, t in ipairs(titles) do
      if string.find(t, model .. " —", 1, true) == 1 then return t end
    end
  end

  local function jobsFor(model)
    local answer = assert(call(function() return client:downloads() end))
    local out = {}
    for _, job in ipairs(answer.jobs) do
      if job.model == model then out[#out + 1] = job end
    end
    return out
  end

  describe("the Plug-in Manager section", function()
    it("shows the daemon, Ollama and the current model, and has the settings and buttons", function()
      local props = LrBinding.makePropertyTable()
      PluginInfoProvider.startDialog(props)
      local sections = PluginInfoProvider.sectionsForTopOfDialog(LrView.osFactory(), props)
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.equal(1, #sections)
      local section = sections[1]
      assert.are.equal("Junmai AutoDev", section.title)
      assert.are.equal("Answering at " .. daemon.url .. " — daemon version 0.1.0 (API 1).", props.daemonStatus)
      assert.are.equal("Running at " .. daemon.ollamaUrl .. " — version " .. string.match(props.ollamaStatus, "version (%S+)%.$") .. ".", props.ollamaStatus)
      assert.are.equal("None chosen yet — use Choose AI Model…", props.currentModelText)

      local address = Ui.find(section, { _type = "edit_field" })
      assert.are.equal(daemon.url, LrView._get(address, "value"))
      local token = Ui.find(section, { _type = "password_field" })
      assert.are.equal("", LrView._get(token, "value"))
      Ui.button(section, "Choose AI Model…")
      Ui.button(section, "AI Model Downloads…")
      local text = Ui.text(section)
      assert.matches("Daemon address:", text, 1, true)
      assert.matches("Ollama:", text, 1, true)
      assert.matches("Current model:", text, 1, true)
    end)

    it("saves an edited address, checks it at once, and says when nothing answers there", function()
      local props = LrBinding.makePropertyTable()
      local section = PluginInfoProvider.sectionsForTopOfDialog(LrView.osFactory(), props)[1]
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      local closed = "127.0.0.1:" .. Daemon.freePort()
      LrView._set(Ui.find(section, { _type = "edit_field" }), closed)
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.equal("http://" .. closed, LrPrefs.prefsForPlugin().daemonUrl)
      assert.are.equal("The Junmai daemon is not running at http://" .. closed ..
        " — start it with `npm start` (or the Junmai login item).", props.daemonStatus)
      assert.are.equal("Unknown until the daemon answers.", props.ollamaStatus)

      LrView._set(Ui.find(section, { _type = "edit_field" }), "not a url at all")
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.matches("is not a daemon address", props.daemonStatus)
      assert.matches("is not a daemon address", props.urlError)

      LrView._set(Ui.find(section, { _type = "edit_field" }), daemon.url .. "/")
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.equal(daemon.url, LrPrefs.prefsForPlugin().daemonUrl)
      assert.matches("^Answering at ", props.daemonStatus)
      PluginInfoProvider.endDialog(props)
      assert.are.equal(daemon.url, LrPrefs.prefsForPlugin().daemonUrl)
    end)

    it("saves whether and how to start the daemon, and the photos in evaluation at once", function()
      local props = LrBinding.makePropertyTable()
      local section = PluginInfoProvider.sectionsForTopOfDialog(LrView.osFactory(), props)[1]
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      local autoStart = Ui.find(section, function(n) return n._type == "checkbox" and LrView._get(n, "title") == "Start the daemon when it is not running" end)
      assert.is_true(LrView._get(autoStart, "value"))
      local fields = LrView._findAll(section, { _type = "edit_field" })
      assert.are.equal(2, #fields)
      assert.are.equal("", LrView._get(fields[2], "value"))
      local inFlight = Ui.find(section, { _type = "popup_menu" })
      assert.are.equal("auto", LrView._get(inFlight, "value"))
      LrView._set(fields[2], "open -a Junmai")
      LrView._set(inFlight, 1)
      LrView._set(autoStart, false)
      local prefs = LrPrefs.prefsForPlugin()
      assert.are.equal("open -a Junmai", prefs.daemonStartCommand)
      assert.are.equal(1, prefs.evaluationsInFlight)
      assert.is_false(prefs.autoStartDaemon)
      assert.is_false(LrView._get(fields[2], "enabled"))
      LrView._set(inFlight, "auto")
      assert.is_nil(prefs.evaluationsInFlight)
    end)

    it("opens the model list from its button", function()
      local props = LrBinding.makePropertyTable()
      local section = PluginInfoProvider.sectionsForTopOfDialog(LrView.osFactory(), props)[1]
      Ui.press(section, "Choose AI Model…")
      assert.is_true(sdk.runTasks({ timeout = 20 }))
      local modal = LrDialogs._last("modal")
      assert.are.equal("Choose AI Model", modal.title)
      assert.are.equal("cancel", modal.result)
    end)
  end)

  describe("Choose AI Model…", function()
    it("lists the catalog with purpose, sizes, vision, installed, fit and the recommended model", function()
      local seen
      LrDialogs._respond(function(shown)
        seen = { titles = Ui.titles(shown.contents), text = Ui.text(shown.contents), actionVerb = shown.actionVerb }
        return "cancel"
      end)
      assert.are.equal("closed", Ui.run(ChooseModelDialog.run))
      assert.are.equal("Choose", seen.actionVerb)
      assert.are.equal(13, #seen.titles)
      local byName = {}
      for _, t in ipairs(seen.titles) do byName[string.match(t, "^[●★ ]*(.-) —")] = t end
      -- Memory at the daemon's default context of 8,192 tokens (JUNMAI_NUM_CTX).
      assert.are.equal("★ Gemma 3 4B — Balanced · 3.3 GB download · needs 5.5 GB · sees photos · installed · fits this computer", byName["Gemma 3 4B"])
      assert.are.equal("Llama 3.1 8B — Balanced · 4.9 GB download · needs 6.8 GB · text only · installed · fits this computer", byName["Llama 3.1 8B"])
      assert.matches("^Gemma 3 12B — Quality · 8.1 GB download · needs 10.7 GB · sees photos · not installed · fits, partly on the CPU %(slower%)$", byName["Gemma 3 12B"])
      assert.matches("too big for this computer$", byName["Llama 3.1 70B"])
      assert.matches("No model is chosen yet", seen.text)
      assert.matches("Gemma 3 4B (gemma3:4b) is the best vision model", seen.text, 1, true)
      assert.matches("13 of 13 models shown", seen.text)
    end)

    it("filters by purpose, installed only and vision only", function()
      local counts = {}
      LrDialogs._respond(function(shown)
        local root = shown.contents
        local purpose = Ui.find(root, { _type = "popup_menu" })
        local installed = Ui.find(root, function(n) return n._type == "checkbox" and LrView._get(n, "title") == "Installed only" end)
        local vision = Ui.find(root, function(n) return n._type == "checkbox" and LrView._get(n, "title") == "Sees photos (vision) only" end)
        LrView._set(purpose, "quality")
        counts.quality = #Ui.items(root)
        LrView._set(purpose, "all")
        LrView._set(installed, true)
        counts.installed = Ui.titles(root)
        LrView._set(vision, true)
        counts.installedVision = Ui.titles(root)
        LrView._set(installed, false)
        counts.vision = #Ui.items(root)
        counts.text = Ui.text(root)
        return "cancel"
      end)
      Ui.run(ChooseModelDialog.run)
      assert.are.equal(5, counts.quality)
      assert.are.equal(2, #counts.installed)
      assert.are.equal(1, #counts.installedVision)
      assert.matches("Gemma 3 4B", counts.installedVision[1])
      assert.are.equal(8, counts.vision)
      assert.matches("8 of 13 models shown", counts.text)
    end)

    it("switches to an installed model when it is chosen", function()
      local hint
      LrDialogs._respond(function(shown)
        Ui.select(shown.contents, "gemma3:4b")
        hint = Ui.text(shown.contents)
        return "ok"
      end)
      assert.are.equal("switch", Ui.run(ChooseModelDialog.run))
      assert.matches("Choose switches to Gemma 3 4B (installed).", hint, 1, true)
      assert.matches("Gemma 3 4B (gemma3:4b) — Balanced", hint, 1, true)
      local message = LrDialogs._last("message")
      assert.are.equal("Now using Gemma 3 4B.", message.message)
      assert.are.equal("Switched to gemma3:4b.", message.info)
      local current = call(function() return client:currentModel() end)
      assert.are.equal("gemma3:4b", current.current_model)
      local switch
      for _, r in ipairs(LrHttp._requests) do
        if string.find(r.url, "/api/model/switch", 1, true) then switch = r end
      end
      assert.are.equal("POST", switch.method)
      assert.are.equal("application/json", switch.headers["Content-Type"])
    end)

    it("shows the current model with photos evaluated, median time and success rate", function()
      local records = Json.array()
      for i, ms in ipairs({ 1800, 2400, 3100, 2600 }) do
        records[#records + 1] = { model = "gemma3:4b", duration_ms = ms, success = i ~= 3 }
      end
      assert.is_table(call(function() return client:post("/api/model/usage", records) end))
      local text
      LrDialogs._respond(function(shown)
        text = Ui.text(shown.contents)
        return "cancel"
      end)
      Ui.run(ChooseModelDialog.run)
      local stats = call(function() return client:statistics("gemma3:4b") end).statistics["gemma3:4b"]
      local median = string.format("%.1f", math.floor(stats.p50_ms / 100 + 0.5) / 10)
      assert.matches("Now using Gemma 3 4B (gemma3:4b). 4 photos evaluated, median " .. median .. " s per photo, 75% succeeded.", text, 1, true)
      assert.matches("^● ★ Gemma 3 4B", Ui.titles(LrDialogs._last("modal").contents)[6])
    end)

    it("says so, and changes nothing, when the model in use is chosen again", function()
      LrDialogs._respond(function() return "ok" end)
      assert.are.equal("current", Ui.run(ChooseModelDialog.run))
      assert.are.equal("Already using Gemma 3 4B.", LrDialogs._last("bezel").message)
    end)

    it("offers the download of a model that is not installed, with its size and a note on disk space", function()
      local question
      LrDialogs._respond(function(shown)
        Ui.select(shown.contents, "gemma3:12b")
        return "ok"
      end)
      LrDialogs._respond(function(shown)
        question = shown
        return "cancel"
      end)
      assert.are.equal("download", Ui.run(ChooseModelDialog.run))
      assert.are.equal("Download Gemma 3 12B?", question.message)
      assert.are.equal("Download", question.actionVerb)
      assert.matches("Gemma 3 12B (gemma3:12b) is a 8.1 GB download.", question.info, 1, true)
      -- Ollama (the emulator) runs on this computer, so the daemon reports the free space of its
      -- models' disk (GET /api/hardware, hardware.disk_free_bytes), and the question gives it.
      -- The sentence for an unknown free space is model_picker_spec's.
      local hardware
      for _, r in ipairs(LrHttp._requests) do
        if string.find(r.url, "/api/hardware", 1, true) then hardware = Json.decode(r.response).hardware end
      end
      local free = hardware.disk_free_bytes
      assert.is_number(free)
      assert.matches("The disk holding Ollama's models has " .. Format.bytes(free) .. " free.", question.info, 1, true)
      assert.are.equal(free < 8149190253, string.find(question.info, "That is not enough: free some space first.", 1, true) ~= nil)
      assert.is_nil(string.find(question.info, "cannot tell how much disk space is free", 1, true))
      assert.are.equal(0, #jobsFor("gemma3:12b"))
      assert.are.equal(0, #LrProgressScope._scopes)
    end)

    it("downloads with progress after the dialog has closed, then offers to use the model", function()
      LrDialogs._respond(function(shown)
        Ui.select(shown.contents, "moondream:1.8b")
        return "ok"
      end)
      LrDialogs._respond("ok") -- Download
      local useNow
      LrDialogs._respond(function(shown)
        useNow = shown
        return "ok"
      end)
      local SafeRun = require "SafeRun"
      local kind
      SafeRun.task("spec", function(context) kind = ChooseModelDialog.run(context) end)
      sdk.runTasks({ timeout = 30, untilFn = function() return kind ~= nil end })
      -- The dialog is gone and the download is still going: it belongs to its own task.
      assert.are.equal("download", kind)
      assert.are.equal("Downloading Moondream 2 — progress at the top left.", LrDialogs._last("bezel").message)
      local scope = LrProgressScope._scopes[1]
      assert.are.equal("Downloading Moondream 2 (1.7 GB)", scope.title)
      assert.is_false(scope.finished)
      assert.is_true(sdk.runTasks({ timeout = 60 }))
      assert.is_true(scope.finished)
      assert.are.equal(1, scope.portions[#scope.portions])
      local between = 0
      for _, p in ipairs(scope.portions) do
        if p > 0 and p < 1 then between = between + 1 end
      end
      assert.is_true(between >= 1, "no progress between 0 and 100% was shown")
      for i = 2, #scope.portions do assert.is_true(scope.portions[i] >= scope.portions[i - 1]) end
      local withSpeed = 0
      for _, c in ipairs(scope.captions) do
        -- After the last byte Ollama checks the files in silence; the caption says so meanwhile.
        if c ~= "Checking the downloaded files…" then assert.matches("^%d+%%", c) end
        if string.find(c, "MB/s", 1, true) or string.find(c, "GB/s", 1, true) then withSpeed = withSpeed + 1 end
      end
      assert.is_true(withSpeed >= 1, "no caption showed the speed")
      assert.are.equal("Moondream 2 is downloaded and ready to use.", useNow.message)
      assert.are.equal("Use It Now", useNow.actionVerb)
      assert.are.equal("Now using Moondream 2.", LrDialogs._last("bezel").message)
      assert.are.equal("completed", jobsFor("moondream:1.8b")[1].status)
      assert.are.equal("moondream:1.8b", call(function() return client:currentModel() end).current_model)
      assert.is_false(DownloadMonitor.isWatching(jobsFor("moondream:1.8b")[1].id))
    end)

    it("cancels the download in the daemon when its progress is cancelled", function()
      LrDialogs._respond(function(shown)
        Ui.select(shown.contents, "gemma3:27b")
        return "ok"
      end)
      LrDialogs._respond("ok")
      Ui.run(ChooseModelDialog.run, { allowPending = true, untilFn = function()
        local s = LrProgressScope._scopes[1]
        return s ~= nil and s.portion > 0
      end })
      local scope = LrProgressScope._scopes[1]
      assert.are.equal("Downloading Gemma 3 27B (17.4 GB)", scope.title)
      assert.is_true(scope.portion > 0 and scope.portion < 1)
      scope:cancel()
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.is_true(scope.finished)
      local delete
      for _, r in ipairs(LrHttp._requests) do
        if r.method == "DELETE" then delete = r end
      end
      assert.is_table(delete)
      assert.matches("/api/model/downloads/[%w%-]+$", delete.url)
      assert.are.equal("application/json", delete.headers["Content-Type"])
      assert.are.equal("{}", delete.body)
      assert.are.equal(200, delete.status)
      local job = jobsFor("gemma3:27b")[1]
      assert.are.equal("cancelled", job.status)
      assert.is_true(job.completed_bytes > 0)
      assert.is_nil(LrDialogs._last("message"))
    end)
  end)

  describe("AI Model Downloads…", function()
    it("shows running and recent jobs, follows running ones, and cancels and resumes them", function()
      local started = call(function() return client:startDownload("gemma3:12b") end)
      local id = started.job.id
      local seen = {}
      LrDialogs._respond(function(shown)
        local root = shown.contents
        seen.titles = Ui.titles(root)
        seen.text = Ui.text(root)
        seen.scopes = #LrProgressScope._scopes
        Ui.select(root, id)
        Ui.press(root, "Cancel Download")
        seen.afterCancel = lineFor(Ui.titles(root), "gemma3:12b")
        Ui.select(root, id)
        Ui.press(root, "Resume")
        seen.afterResume = lineFor(Ui.titles(root), "gemma3:12b")
        Ui.press(root, "Refresh")
        return "ok"
      end)
      local outcome
      Ui.run(function(context) outcome = DownloadsDialog.run(context) end, { allowPending = true, untilFn = function() return outcome ~= nil end })
      assert.are.equal("closed", outcome)
      assert.are.equal(3, #seen.titles)
      assert.matches("^gemma3:12b — downloading", seen.titles[1])
      local joined = table.concat(seen.titles, "\n")
      assert.matches("gemma3:27b — cancelled (stopped at", joined, 1, true)
      assert.matches("moondream:1.8b — completed (1.7 GB)", joined, 1, true)
      assert.matches("1 running, 3 in all. Closing this window does not stop a download.", seen.text, 1, true)
      assert.are.equal(1, seen.scopes)
      assert.are.equal("Downloading gemma3:12b (8.1 GB)", LrProgressScope._scopes[1].title)
      assert.matches("^gemma3:12b — cancelled", seen.afterCancel)
      assert.matches("^gemma3:12b — downloading", seen.afterResume)
      -- Resuming makes a new job (a new id); it is watched too.
      local jobs = jobsFor("gemma3:12b")
      assert.are.equal(2, #jobs)
      local resumed = jobs[1]
      assert.are.equal("downloading", resumed.status)
      assert.are_not.equal(id, resumed.id)
      assert.are.equal(2, #LrProgressScope._scopes)
      assert.is_true(DownloadMonitor.isWatching(resumed.id))
      -- Cancel it so the daemon is quiet, and let the watchers see the ends.
      call(function() return client:cancelDownload(resumed.id) end)
      assert.is_true(sdk.runTasks({ timeout = 15 }))
      for _, scope in ipairs(LrProgressScope._scopes) do assert.is_true(scope.finished) end
      assert.are.equal("The download of gemma3:12b was cancelled.", LrDialogs._last("bezel").message)
      for _, job in ipairs(jobsFor("gemma3:12b")) do assert.are.equal("cancelled", job.status) end
    end)
  end)

  describe("errors from the daemon", function()
    it("come back as the daemon's sentences", function()
      local _, notInstalled = call(function() return client:switchModel("llava:7b") end)
      assert.are.equal("MODEL_NOT_INSTALLED", notInstalled.code)
      assert.are.equal(409, notInstalled.status)
      assert.are.equal("LLaVA 1.6 7B is not downloaded yet. Download it first, then switch to it.", notInstalled.message)
      local _, unknown = call(function() return client:switchModel("nope:1b") end)
      assert.are.equal("MODEL_NOT_FOUND", unknown.code)
      assert.matches("is neither in Junmai's catalog nor installed", unknown.message)
      local _, noJob = call(function() return client:download("no-such-job") end)
      assert.are.equal("JOB_NOT_FOUND", noJob.code)
    end)

    it("are refused for lack of a JSON content type, which is why the client always sends it", function()
      local body, info = call(function()
        return LrHttp.post(daemon.url .. "/api/model/switch", '{"model":"gemma3:4b"}', {}, "POST", 5)
      end)
      assert.are.equal(415, tonumber(info.status))
      assert.are.equal("UNSUPPORTED_MEDIA_TYPE", Json.decode(body).code)
    end)
  end)
end)
