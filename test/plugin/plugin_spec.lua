-- The plug-in as Lightroom loads it: Info.lua, every file compiling as Lua 5.1, LOC everywhere.
local sdk = require "sdk"
local Daemon = require "support.daemon"

local closedUrl = "http://127.0.0.1:" .. Daemon.freePort()

local function pluginFiles()
  local files = {}
  local p = io.popen("ls " .. sdk.pluginPath .. "/*.lua")
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

local function read(path)
  local f = assert(io.open(path, "r"))
  local text = f:read("*a")
  f:close()
  return text
end

describe("the plug-in folder", function()
  before_each(function() sdk.reset() end)

  it("has an Info.lua with everything Lightroom needs", function()
    local info = dofile(sdk.pluginPath .. "/Info.lua")
    assert.are.equal(13.0, info.LrSdkVersion)
    assert.are.equal(10.0, info.LrSdkMinimumVersion)
    assert.are.equal("com.junmai.autodev", info.LrToolkitIdentifier)
    assert.are.equal("Junmai AutoDev", info.LrPluginName)
    assert.are.equal("PluginInfoProvider.lua", info.LrPluginInfoProvider)
    assert.are.equal("Init.lua", info.LrInitPlugin)
    assert.are.same({ major = 0, minor = 1, revision = 0, build = 1, display = "0.1.0" }, info.VERSION)
    assert.are.same({ { title = "Junmai AI Evaluation", file = "EvaluationFilterProvider.lua", id = "junmaiEvaluation" } }, info.LrExportFilterProvider)
    assert.are.equal("Shutdown.lua", info.LrShutdownApp)
    for _, file in ipairs({ "EvaluationFilterProvider.lua", "Shutdown.lua" }) do
      assert.is_truthy(io.open(sdk.pluginPath .. "/" .. file), file .. " is missing")
    end
    for _, key in ipairs({ "LrLibraryMenuItems", "LrExportMenuItems" }) do
      local items = info[key]
      assert.are.equal("Choose AI Model…", items[1].title)
      assert.are.equal("AI Model Downloads…", items[2].title)
      assert.are.equal("Evaluate Selected Photos with AI…", items[3].title)
      for _, item in ipairs(items) do
        assert.is_truthy(io.open(sdk.pluginPath .. "/" .. item.file), item.file .. " is missing")
      end
    end
  end)

  it("compiles every file as Lua 5.1 and uses nothing newer", function()
    local files = pluginFiles()
    assert.is_true(#files >= 15)
    for _, path in ipairs(files) do
      assert.is_function(loadfile(path), path)
      local text = read(path)
      for _, newer in ipairs({ "table%.unpack", "table%.pack", "utf8%.", "bit32%.", "string%.pack", "math%.type", "<const>", "<close>" }) do
        assert.is_nil(string.find(text, newer), path .. " uses " .. newer)
      end
    end
  end)

  it("returns a table from every module", function()
    sdk.import("LrPrefs").prefsForPlugin().daemonUrl = closedUrl
    -- Loading the menu items runs them: their attempt to start a daemon is answered, not executed.
    sdk.import("LrTasks")._executeHook = function() return 113 * 256 end
    for _, path in ipairs(pluginFiles()) do
      local result = assert(loadfile(path))()
      assert.is_table(result, path)
    end
    sdk.runTasks({ timeout = 5 })
  end)

  it("passes every user-facing string through LOC with one English text per key", function()
    local texts = {}
    for _, path in ipairs(pluginFiles()) do
      local text = read(path)
      for key, english in string.gmatch(text, 'LOC%s*%(?%s*"%$%$%$/([^=]+)=([^"]*)"') do
        assert.matches("^Junmai/", key, path)
        -- Lightroom reads ZStrings as low-ASCII; other characters are written ^U+XXXX.
        assert.is_nil(string.find(key .. english, "[\128-\255]"), path .. ": " .. key .. " is not low-ASCII")
        if texts[key] then
          assert.are.equal(texts[key], english, "key " .. key .. " has two texts")
        end
        texts[key] = english
      end
      -- Literal titles and dialog texts would escape translation.
      assert.is_nil(string.find(text, 'title%s*=%s*"'), path .. " has a literal title")
      assert.is_nil(string.find(text, 'LrDialogs%.%w+%(%s*"'), path .. " passes a literal to LrDialogs")
      assert.is_nil(string.find(text, 'setCaption%(%s*"'), path .. " has a literal caption")
    end
    local n = 0
    for _ in pairs(texts) do n = n + 1 end
    assert.is_true(n > 80)
  end)

  it("runs the menu items without a daemon, tries the login item, and says how to install it", function()
    sdk.import("LrPrefs").prefsForPlugin().daemonUrl = closedUrl
    local LrDialogs = sdk.import "LrDialogs"
    local LrTasks = sdk.import "LrTasks"
    -- launchctl's "Could not find service" (113), as system() reports it.
    LrTasks._executeHook = function() return 113 * 256 end
    dofile(sdk.pluginPath .. "/ChooseModelMenuItem.lua")
    dofile(sdk.pluginPath .. "/DownloadsMenuItem.lua")
    assert.is_true(sdk.runTasks({ timeout = 10 }))
    local shown = LrDialogs._all("message")
    assert.are.equal(2, #shown)
    assert.are.equal("Junmai cannot show the AI models.", shown[1].message)
    assert.are.equal("Lightroom could not start the Junmai daemon at " .. closedUrl .. ": it is not installed as a login item. " ..
      "Install it once with `bash scripts/service-install.sh` in the Junmai folder (or `junmai service install`), or start it with `npm start`.", shown[1].info)
    assert.are.equal("Junmai cannot show the downloads.", shown[2].message)
    assert.matches("could not start the Junmai daemon at " .. closedUrl, shown[2].info, 1, true)
    assert.are.same({ "launchctl kickstart gui/$(id -u)/com.junmai.autodev", "launchctl kickstart gui/$(id -u)/com.junmai.autodev" }, LrTasks._executed)
    assert.are.same({}, LrTasks._errors)
  end)

  it("leaves the daemon running when Lightroom quits, and only logs it", function()
    local shutdown = dofile(sdk.pluginPath .. "/Shutdown.lua")
    local done, progress = false, nil
    shutdown.LrShutdownFunction(function() done = true end, function(p) progress = p end)
    assert.is_true(done)
    assert.are.equal(1, progress)
    assert.are.same({}, sdk.import("LrHttp")._requests)
    assert.are.same({}, sdk.import("LrTasks")._executed)
    local lines = sdk.import("LrLogger")._lines
    assert.are.equal("Lightroom is quitting; the Junmai daemon keeps running.", lines[#lines].text)
  end)

  it("does not try to start a daemon when that is switched off", function()
    local prefs = sdk.import("LrPrefs").prefsForPlugin()
    prefs.daemonUrl = closedUrl
    prefs.autoStartDaemon = false
    dofile(sdk.pluginPath .. "/ChooseModelMenuItem.lua")
    assert.is_true(sdk.runTasks({ timeout = 10 }))
    assert.are.equal("The Junmai daemon is not running at " .. closedUrl .. " — start it with `npm start` (or the Junmai login item).",
      sdk.import("LrDialogs")._last("message").info)
    assert.are.same({}, sdk.import("LrTasks")._executed)
  end)
end)
