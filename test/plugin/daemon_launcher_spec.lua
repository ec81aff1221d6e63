--[[
Starting the daemon (DaemonLauncher, DaemonSession): every branch with fakes, then once for real
— a "launcher" that starts daemon/main.ts in the background, and the real health poll.
]]
local sdk = require "sdk"
local Daemon = require "support.daemon"
local shellQuote = require("support.shell").quote
local DaemonLauncher = require "DaemonLauncher"
local DaemonSession = require "DaemonSession"
local DaemonErrors = require "DaemonErrors"

local LrTasks = sdk.import "LrTasks"
local LrDialogs = sdk.import "LrDialogs"
local LrPrefs = sdk.import "LrPrefs"

local URL = "http://127.0.0.1:5100"
local HEALTH = { success = true, status = "ok", api_version = 1, daemon_version = "0.1.0" }

-- A client whose health answers come from a list: "down", "busy" (not Junmai), "timeout", a table (an answer).
local function fakeClient(answers, baseUrl)
  local c = { baseUrl = baseUrl or URL, calls = 0 }
  function c.health(self)
    self.calls = self.calls + 1
    local a = answers[math.min(self.calls, #answers)]
    if a == "down" then return nil, DaemonErrors.notRunning(self.baseUrl) end
    if a == "busy" then return nil, { code = "BAD_RESPONSE", message = "not Junmai" } end
    if a == "timeout" then return nil, { code = "DAEMON_TIMEOUT", message = "slow" } end
    if a == "unauthorized" then return nil, { code = "UNAUTHORIZED", message = "This request needs the Junmai access token." } end
    return a
  end
  return c
end

-- Fake machine: execute answers from `codes` by command kind, a clock that sleeps advance, and
-- tasks that run at once (a command that never returns is the real-daemon spec's business).
local function machine(codes)
  local m = { executed = {}, slept = 0, now = 100, tasks = {} }
  function m.startTask(fn, name)
    m.tasks[#m.tasks + 1] = name
    fn()
  end
  function m.execute(command)
    m.executed[#m.executed + 1] = command
    for pattern, code in pairs(codes or {}) do
      if string.find(command, pattern, 1, true) then return code end
    end
    return 0
  end
  function m.sleep(seconds) m.slept = m.slept + seconds; m.now = m.now + seconds end
  function m.clock() return m.now end
  return m
end

local function start(client, m, extra)
  local deps = { client = client, execute = m.execute, startTask = m.startTask, sleep = m.sleep, clock = m.clock, platform = "mac" }
  for k, v in pairs(extra or {}) do deps[k] = v end
  return DaemonLauncher.start(deps)
end

describe("DaemonLauncher", function()
  it("starts only a daemon on this computer", function()
    for _, url in ipairs({ "http://127.0.0.1:5100", "http://localhost:6000", "http://[::1]:5100", "https://127.0.0.2" }) do
      assert.is_true(DaemonLauncher.isLocal(url), url)
    end
    for _, url in ipairs({ "http://studio.local:5100", "http://192.168.1.20:5100", "http://127.0.0.1.example.com", "nonsense" }) do
      assert.is_false(DaemonLauncher.isLocal(url), url)
    end
  end)

  it("uses the login item the daemon installs: launchd, the scheduled task, the Startup launcher", function()
    assert.are.same({ { command = "launchctl kickstart gui/$(id -u)/com.junmai.autodev", kind = "launchd" } },
      DaemonLauncher.commands({ platform = "mac" }))
    -- Windows: cmd /c gets the whole line in double quotes, as the SDK guide says.
    assert.are.same({ { command = '"schtasks /Run /TN Junmai"', kind = "task" } }, DaemonLauncher.commands({ platform = "win" }))
    local startup = "C:\\Users\\Ann\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\Junmai.cmd"
    assert.are.same({
      { command = '"schtasks /Run /TN Junmai"', kind = "task" },
      { command = '"start "Junmai" /b "' .. startup .. '""', kind = "startup" },
    }, DaemonLauncher.commands({ platform = "win", startupLauncher = startup, fileExists = function() return "file" end }))
    assert.are.same({}, DaemonLauncher.commands({ platform = "other" }))
  end)

  it("detaches a configured command, so that one which never returns cannot hold Lightroom", function()
    assert.are.same({ { command = "nohup sh -c 'my-start --port '\\''5100'\\''' </dev/null >/dev/null 2>&1 &", kind = "custom", configured = "my-start --port '5100'" } },
      DaemonLauncher.commands({ platform = "other", startCommand = "my-start --port '5100'" }))
    assert.are.same({ { command = '"start "Junmai" /b npm start"', kind = "custom", configured = "npm start" } },
      DaemonLauncher.commands({ platform = "win", startCommand = "npm start" }))
    -- macOS: Lightroom's PATH has neither Homebrew nor nvm; the folders node installers use come first.
    local dirs = DaemonLauncher.macNodeDirs("/Users/ann", { "v18.20.1", "v20.11.0", "v20.9.3", "system" })
    assert.are.same({ "/opt/homebrew/bin", "/usr/local/bin", "/Users/ann/.volta/bin", "/Users/ann/.nvm/versions/node/v20.11.0/bin" }, dirs)
    assert.are.equal("PATH='/opt/homebrew/bin':'/usr/local/bin':'/Users/ann/.volta/bin':'/Users/ann/.nvm/versions/node/v20.11.0/bin':\"$PATH\"; export PATH; " ..
      "nohup sh -c 'npm start' </dev/null >/dev/null 2>&1 &", DaemonLauncher.commands({ platform = "mac", startCommand = "npm start", nodeDirs = dirs })[1].command)
  end)

  it("reads exit codes as system() reports them", function()
    assert.are.equal(0, DaemonLauncher.exitCode(0))
    assert.are.equal(113, DaemonLauncher.exitCode(113 * 256))
    assert.are.equal(1, DaemonLauncher.exitCode(1))
    assert.are.equal(0, DaemonLauncher.exitCode(true))
    assert.are.equal(-1, DaemonLauncher.exitCode(nil))
  end)

  it("runs the launcher, then asks every half second until the daemon answers", function()
    local client = fakeClient({ "down", "down", "down", HEALTH })
    local m = machine()
    local health, kind = start(client, m)
    assert.are.equal(HEALTH, health)
    assert.are.equal("launchd", kind)
    assert.are.same({ "launchctl kickstart gui/$(id -u)/com.junmai.autodev" }, m.executed)
    assert.are.same({ "Junmai start daemon" }, m.tasks)
    assert.are.equal(4, client.calls)
    assert.are.equal(2, m.slept)
  end)

  it("keeps asking while the daemon is still slow to answer", function()
    local health = start(fakeClient({ "timeout", HEALTH }), machine())
    assert.are.equal(HEALTH, health)
  end)

  it("says how to install the login item when there is none (macOS)", function()
    local m = machine({ launchctl = 113 * 256 })
    local client = fakeClient({ "down" })
    local health, err = start(client, m)
    assert.is_nil(health)
    assert.are.equal("DAEMON_NOT_INSTALLED", err.code)
    assert.are.equal("Lightroom could not start the Junmai daemon at " .. URL .. ": it is not installed as a login item. " ..
      "Install it once with `bash scripts/service-install.sh` in the Junmai folder (or `junmai service install`), or start it with `npm start`.", err.message)
    assert.are.equal(0, client.calls)
  end)

  it("falls back to the Startup launcher on Windows, and names the PowerShell script when neither is there", function()
    local startup = "C:\\Startup\\Junmai.cmd"
    local m = machine({ schtasks = 1 })
    local health, kind = start(fakeClient({ HEALTH }), m, { platform = "win", startupLauncher = startup, fileExists = function() return "file" end })
    assert.are.equal(HEALTH, health)
    assert.are.equal("startup", kind)
    assert.are.same({ '"schtasks /Run /TN Junmai"', '"start "Junmai" /b "C:\\Startup\\Junmai.cmd""' }, m.executed)

    local _, err = start(fakeClient({ "down" }), machine({ schtasks = 1 }), { platform = "win", fileExists = function() return false end })
    assert.are.equal("DAEMON_NOT_INSTALLED", err.code)
    assert.matches("`powershell -ExecutionPolicy Bypass -File scripts\\service.ps1`", err.message, 1, true)
  end)

  it("names a configured start command after which no daemon answered", function()
    local m = machine()
    local _, err = start(fakeClient({ "down" }), m, { startCommand = "my-start --now", timeout = 2 })
    assert.are.equal("DAEMON_START_TIMEOUT", err.code)
    assert.are.equal("Lightroom ran the start command set in File › Plug-in Manager › Junmai AutoDev, but the daemon did not answer at " .. URL ..
      " within 2 s. Run the command in a terminal to see why: my-start --now", err.message)
  end)

  it("stops waiting when the photographer cancels", function()
    local client = fakeClient({ "down" })
    local m = machine()
    local _, err = start(client, m, { isCanceled = function() return client.calls >= 3 end })
    assert.are.equal("DAEMON_START_CANCELLED", err.code)
    assert.are.equal("You stopped waiting for the Junmai daemon at " .. URL .. ". It may still be starting; try again in a moment.", err.message)
    assert.are.equal(3, client.calls)
  end)

  it("names a configured start command that could not be run, with its exit code", function()
    local _, err = start(fakeClient({ "down" }), machine({ ["my-start"] = 2 * 256 }), { startCommand = "my-start --now" })
    assert.are.equal("DAEMON_START_FAILED", err.code)
    assert.are.equal("The Junmai daemon is not running at " .. URL .. ", and its start command (set in File › Plug-in Manager › Junmai AutoDev) failed with exit code 2: my-start --now", err.message)
  end)

  it("says where to set a command on a system without a login item", function()
    local _, err = start(fakeClient({ "down" }), machine(), { platform = "other" })
    assert.are.equal("The Junmai daemon is not running at " .. URL .. ". Start it with `npm start`, or enter the command that starts it in File › Plug-in Manager › Junmai AutoDev.", err.message)
  end)

  it("gives up after 15 s by default and says where to look", function()
    local client = fakeClient({ "down" })
    local m = machine()
    local _, err = start(client, m)
    assert.are.equal("DAEMON_START_TIMEOUT", err.code)
    assert.are.equal("Lightroom started the Junmai daemon, but it did not answer at " .. URL .. " within 15 s. `junmai logs` shows why it stopped — most often its port is used by another program, or a setting it refuses.", err.message)
    assert.are.equal(30, client.calls)
    assert.are.equal(15, m.slept)
  end)

  it("recognises the port taken by another program", function()
    local _, err = start(fakeClient({ "busy" }), machine())
    assert.are.equal("PORT_BUSY", err.code)
    assert.are.equal("Something other than Junmai answers at " .. URL .. ": the daemon's port is used by another program. Quit that program, or give the daemon another port (JUNMAI_PORT) and enter its address in the Plug-in Manager.", err.message)
  end)

  it("passes on a daemon that answers but wants a token", function()
    local _, err = start(fakeClient({ "unauthorized" }), machine())
    assert.are.equal("UNAUTHORIZED", err.code)
  end)
end)

describe("DaemonSession", function()
  before_each(function()
    sdk.reset()
    DaemonSession._reset()
  end)

  local function connect(client, m, settings)
    local deps = { execute = m.execute, startTask = m.startTask, sleep = m.sleep, clock = m.clock, platform = "mac", LrDialogs = LrDialogs,
      settings = settings or { autoStart = true } }
    return DaemonSession.connect(client, deps)
  end

  it("leaves a running daemon alone", function()
    local m = machine()
    assert.are.equal(HEALTH, connect(fakeClient({ HEALTH }), m))
    assert.are.same({}, m.executed)
  end)

  it("starts a local daemon that is not running", function()
    local m = machine()
    assert.are.equal(HEALTH, connect(fakeClient({ "down", HEALTH }), m))
    assert.are.equal(1, #m.executed)
  end)

  it("does not start one when told not to, nor one on another computer", function()
    local m = machine()
    local _, err = connect(fakeClient({ "down" }), m, { autoStart = false })
    assert.are.equal("DAEMON_DOWN", err.code)
    _, err = connect(fakeClient({ "down" }, "http://studio.local:5100"), m)
    assert.are.equal("DAEMON_DOWN", err.code)
    assert.are.same({}, m.executed)
  end)

  it("runs the start command from the prefs", function()
    local m = machine()
    connect(fakeClient({ "down", HEALTH }), m, { autoStart = true, startCommand = "open -a Junmai" })
    assert.are.equal(1, #m.executed)
    assert.is_truthy(string.find(m.executed[1], "nohup sh -c 'open -a Junmai' </dev/null >/dev/null 2>&1 &", 1, true))
  end)

  it("finds the Startup launcher under Windows' AppData, not under Lightroom's own folder", function()
    sdk.setPlatform("win")
    local m = machine({ schtasks = 1 })
    local seen
    local deps = { execute = m.execute, startTask = m.startTask, sleep = m.sleep, clock = m.clock, LrDialogs = LrDialogs,
      settings = { autoStart = true }, fileExists = function(path) seen = path return "file" end }
    assert.are.equal(HEALTH, DaemonSession.connect(fakeClient({ "down", HEALTH }), deps))
    assert.are.equal("C:\\Users\\Photographer\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\Junmai.cmd", seen)
    assert.are.same({ '"schtasks /Run /TN Junmai"', '"start "Junmai" /b "' .. seen .. '""' }, m.executed)
  end)

  it("warns once per session when the daemon speaks another API version", function()
    local other = { success = true, api_version = 2 }
    local m = machine()
    assert.are.equal(other, connect(fakeClient({ other }), m))
    connect(fakeClient({ other }), m)
    local shown = LrDialogs._all("message")
    assert.are.equal(1, #shown)
    assert.are.equal("The Junmai daemon and this plug-in do not match.", shown[1].message)
    assert.are.equal("This plug-in speaks version 1 of the daemon's API; the daemon at " .. URL .. " speaks version 2. " ..
      "Some things may fail until both come from the same Junmai release: update the plug-in and the daemon together.", shown[1].info)
    assert.are.equal("warning", shown[1].style)
    connect(fakeClient({ HEALTH }), m)
    assert.are.equal(1, #LrDialogs._all("message"))
  end)

  it("shows the mismatch in the Plug-in Manager's status too", function()
    local PluginStatus = require "PluginStatus"
    local status = PluginStatus.describe(URL, { api_version = 2, daemon_version = "0.2.0", ollama = { reachable = true } })
    assert.are.equal("Answering at " .. URL .. " — daemon version 0.2.0 (API 2). This plug-in expects API 1: update the plug-in and the daemon together.", status.daemonStatus)
  end)
end)

describe("starting a real daemon", function()
  local port, dataDir, pidFile, logFile

  before_each(function()
    sdk.reset()
    DaemonSession._reset()
    port = Daemon.freePort()
    local base = os.tmpname()
    os.remove(base)
    dataDir, pidFile, logFile = base .. ".data", base .. ".pid", base .. ".log"
  end)

  -- The daemon in the foreground, on this spec's port and data folder, with no Ollama to talk to.
  local function daemonCommand()
    return "env JUNMAI_PORT=" .. port .. " JUNMAI_HOST=127.0.0.1 JUNMAI_DATA_DIR=" .. shellQuote(dataDir) ..
      " OLLAMA_HOST=http://127.0.0.1:" .. Daemon.freePort() .. " JUNMAI_LOG_LEVEL=warn node --import tsx daemon/main.ts"
  end

  after_each(function()
    local f = io.open(pidFile, "r")
    if f then
      local pid = tonumber(f:read("*l"))
      f:close()
      if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
      os.remove(pidFile)
    end
    os.execute("rm -rf " .. shellQuote(dataDir))
    os.remove(logFile)
  end)

  it("runs the configured command, polls /api/health, and answers once the daemon is up", function()
    -- What a login item does: start the daemon in the background and return at once.
    local command = "cd " .. shellQuote(sdk.root) .. " && (exec " .. daemonCommand() .. " </dev/null >" ..
      shellQuote(logFile) .. " 2>&1 & echo $! > " .. shellQuote(pidFile) .. ")"
    local prefs = LrPrefs.prefsForPlugin()
    prefs.daemonUrl = "http://127.0.0.1:" .. port
    prefs.daemonStartCommand = command
    local health, err
    LrTasks.startAsyncTask(function()
      health, err = DaemonSession.connect(DaemonSession.client(), { timeout = 30 })
    end, "connect")
    assert.is_true(sdk.runTasks({ timeout = 40 }))
    assert.is_nil(err and err.message)
    assert.are.equal(1, health.api_version)
    assert.are.equal(1, #LrTasks._executed)
    assert.is_truthy(string.find(LrTasks._executed[1], "nohup sh -c " .. shellQuote(command), 1, true))
    assert.are.same({}, LrDialogs._all("message"))
  end)

  it("starts a daemon whose command runs in the foreground without holding the caller", function()
    -- `npm start` as the photographer would type it: it returns only when the daemon stops.
    local command = "echo $$ > " .. shellQuote(pidFile) .. " && cd " .. shellQuote(sdk.root) .. " && exec " .. daemonCommand() ..
      " >" .. shellQuote(logFile) .. " 2>&1"
    local prefs = LrPrefs.prefsForPlugin()
    prefs.daemonUrl = "http://127.0.0.1:" .. port
    prefs.daemonStartCommand = command
    local health, err
    LrTasks.startAsyncTask(function()
      health, err = DaemonSession.connect(DaemonSession.client(), { timeout = 30 })
    end, "connect")
    assert.is_true(sdk.runTasks({ timeout = 40, untilFn = function() return health ~= nil or err ~= nil end }))
    assert.is_nil(err and err.message)
    assert.are.equal(1, health.api_version)
    -- Every task is done: the command was detached, nothing waits on it.
    assert.is_true(sdk.runTasks({ timeout = 5 }))
  end)

  it("says so when no daemon answers after the configured command, naming it", function()
    local prefs = LrPrefs.prefsForPlugin()
    prefs.daemonUrl = "http://127.0.0.1:" .. port
    prefs.daemonStartCommand = "exit 3"
    local health, err
    LrTasks.startAsyncTask(function() health, err = DaemonSession.connect(DaemonSession.client(), { timeout = 1 }) end, "connect")
    assert.is_true(sdk.runTasks({ timeout = 10 }))
    assert.is_nil(health)
    assert.are.equal("DAEMON_START_TIMEOUT", err.code)
    assert.matches("within 1 s. Run the command in a terminal to see why: exit 3", err.message, 1, true)
    -- The attempt is in Junmai.log, for when the photographer asks why.
    local started
    for _, l in ipairs(sdk.import("LrLogger")._lines) do
      if string.find(l.text, "start daemon: ", 1, true) then started = l end
    end
    assert.matches("nohup sh %-c 'exit 3' </dev/null >/dev/null 2>&1 & %-> exit 0$", started.text)
    -- While it waited, the photographer could cancel.
    local scope = sdk.import("LrProgressScope")._scopes[1]
    assert.are.equal("Starting the Junmai daemon…", scope.title)
    assert.is_true(scope.finished)
  end)
end)
