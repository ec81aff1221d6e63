--[[
Starts the daemon when nothing answers at its address (connection refused): runs the launcher the
daemon installed for itself (`junmai service install`), or the command set in the Plug-in Manager,
then asks /api/health every half second until it answers, the deadline passes or the photographer
cancels. When that fails it says exactly what to do.

LrTasks.execute blocks its task until the command exits, and a start command need not return
(`npm start` runs the daemon in the foreground). So the commands run in a task of their own, the
configured one detached from Lightroom (nohup ... & on macOS, start /b on Windows), while the
caller polls /api/health: nothing the command does can hold up a dialog or an export.

The launchers, matching daemon/service/*.ts:
  macOS    launchctl kickstart gui/<uid>/com.junmai.autodev   (the LaunchAgent; 113 = not installed)
  Windows  schtasks /Run /TN Junmai                          (the scheduled task; 1 = not installed)
           then the Startup-folder launcher Junmai.cmd, which install writes when Task Scheduler is refused
  other    only the configured command (Lightroom Classic runs on macOS and Windows; specs run here)
Lightroom's PATH on macOS lacks Homebrew, Volta and nvm, so a configured command gets the folders
where node installers put node (deps.nodeDirs) in front of PATH.

Plain: everything that touches the machine comes in `deps`, so every branch is tested with fakes.
deps: client (health()), execute(command) -> exit status, startTask(fn, name), sleep(seconds),
      clock() -> seconds, platform ("mac" | "win" | "other"), startCommand (string or nil),
      startupLauncher (path or nil), fileExists(path) -> truthy, nodeDirs (folders, macOS),
      isCanceled() (optional), timeout (seconds, default 15), interval (default 0.5), log (optional).
]]
local DaemonErrors = require "DaemonErrors"

local DaemonLauncher = {}

-- daemon/service/launchd.ts LAUNCHD_LABEL and daemon/service/windows.ts TASK_NAME.
DaemonLauncher.LAUNCHD_LABEL = "com.junmai.autodev"
DaemonLauncher.TASK_NAME = "Junmai"
DaemonLauncher.TIMEOUT = 15
DaemonLauncher.INTERVAL = 0.5

-- Only a daemon on this computer can be started from here.
function DaemonLauncher.isLocal(baseUrl)
  local url = tostring(baseUrl or "")
  local host = string.match(url, "^%a[%w+.-]*://(%[[^%]]+%])") or string.match(url, "^%a[%w+.-]*://([^/:]+)")
  if not host then return false end
  host = string.lower(host)
  return host == "localhost" or host == "[::1]" or string.find(host, "^127%.%d+%.%d+%.%d+$") ~= nil
end

-- LrTasks.execute hands a command to cmd /c on Windows: the whole line goes in double quotes
-- (SDK guide, "Adding an export post-process action"), so quoted paths inside it survive.
function DaemonLauncher.windowsLine(command)
  return '"' .. command .. '"'
end

local function shellQuote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

-- The folders where node installers put node and npm on macOS, for Lightroom's bare PATH.
function DaemonLauncher.macNodeDirs(home, nvmVersions)
  local dirs = { "/opt/homebrew/bin", "/usr/local/bin" }
  if home then
    dirs[#dirs + 1] = home .. "/.volta/bin"
    -- The newest node nvm has, as `nvm alias default` most often is.
    local newest, newestKey
    for _, v in ipairs(nvmVersions or {}) do
      local a, b, c = string.match(v, "^v?(%d+)%.(%d+)%.(%d+)$")
      if a then
        local key = tonumber(a) * 1000000 + tonumber(b) * 1000 + tonumber(c)
        if not newestKey or key > newestKey then newest, newestKey = v, key end
      end
    end
    if newest then dirs[#dirs + 1] = home .. "/.nvm/versions/node/" .. newest .. "/bin" end
  end
  return dirs
end

-- The configured command, detached so that it returns at once whatever it starts.
function DaemonLauncher.detached(command, platform, nodeDirs)
  if platform == "win" then
    return DaemonLauncher.windowsLine('start "Junmai" /b ' .. command)
  end
  local prefix = ""
  if nodeDirs and #nodeDirs > 0 then
    local quoted = {}
    for i, d in ipairs(nodeDirs) do quoted[i] = shellQuote(d) end
    prefix = "PATH=" .. table.concat(quoted, ":") .. ':"$PATH"; export PATH; '
  end
  return prefix .. "nohup sh -c " .. shellQuote(command) .. " </dev/null >/dev/null 2>&1 &"
end

--[[
The commands to try, in order: {command, kind} with kind "custom", "launchd", "task" or "startup";
a custom one keeps the command as configured too.
]]
function DaemonLauncher.commands(deps)
  if deps.startCommand and deps.startCommand ~= "" then
    local nodeDirs = deps.platform == "mac" and deps.nodeDirs or nil
    return { { command = DaemonLauncher.detached(deps.startCommand, deps.platform, nodeDirs), kind = "custom", configured = deps.startCommand } }
  end
  if deps.platform == "mac" then
    return { { command = "launchctl kickstart gui/$(id -u)/" .. DaemonLauncher.LAUNCHD_LABEL, kind = "launchd" } }
  end
  if deps.platform == "win" then
    local list = { { command = DaemonLauncher.windowsLine("schtasks /Run /TN " .. DaemonLauncher.TASK_NAME), kind = "task" } }
    if deps.startupLauncher and deps.fileExists and deps.fileExists(deps.startupLauncher) then
      list[#list + 1] = { command = DaemonLauncher.windowsLine('start "Junmai" /b "' .. deps.startupLauncher .. '"'), kind = "startup" }
    end
    return list
  end
  return {}
end

--[[
An exit code from what LrTasks.execute (and Lua's os.execute) return: system()'s wait status on
macOS, where the code is in the high byte, the code itself on Windows.
]]
function DaemonLauncher.exitCode(status)
  if status == true then return 0 end
  if type(status) ~= "number" then return -1 end
  if status > 255 and status % 256 == 0 then return status / 256 end
  return status
end

local function make(message, code)
  return { message = message, code = code }
end

-- The install command of README's "Start Junmai automatically at login", for the platform.
function DaemonLauncher.installCommand(platform)
  if platform == "win" then return "`powershell -ExecutionPolicy Bypass -File scripts\\service.ps1`" end
  return "`bash scripts/service-install.sh`"
end

function DaemonLauncher.notInstalled(baseUrl, platform)
  return make(
    LOC("$$$/Junmai/Launch/NotInstalled=Lightroom could not start the Junmai daemon at ^1: it is not installed as a login item. Install it once with ^2 in the Junmai folder (or `junmai service install`), or start it with `npm start`.", baseUrl, DaemonLauncher.installCommand(platform)),
    "DAEMON_NOT_INSTALLED")
end

function DaemonLauncher.noLauncher(baseUrl)
  return make(
    LOC("$$$/Junmai/Launch/NoLauncher=The Junmai daemon is not running at ^1. Start it with `npm start`, or enter the command that starts it in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev.", baseUrl),
    "DAEMON_DOWN")
end

function DaemonLauncher.commandFailed(baseUrl, command, code)
  return make(
    LOC("$$$/Junmai/Launch/CommandFailed=The Junmai daemon is not running at ^1, and its start command (set in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev) failed with exit code ^2: ^3", baseUrl, tostring(code), command),
    "DAEMON_START_FAILED")
end

function DaemonLauncher.portBusy(baseUrl)
  return make(
    LOC("$$$/Junmai/Launch/PortBusy=Something other than Junmai answers at ^1: the daemon's port is used by another program. Quit that program, or give the daemon another port (JUNMAI_PORT) and enter its address in the Plug-in Manager.", baseUrl),
    "PORT_BUSY")
end

function DaemonLauncher.commandNoAnswer(baseUrl, command, seconds)
  return make(
    LOC("$$$/Junmai/Launch/CommandNoAnswer=Lightroom ran the start command set in File ^U+203A Plug-in Manager ^U+203A Junmai AutoDev, but the daemon did not answer at ^1 within ^2 s. Run the command in a terminal to see why: ^3", baseUrl, tostring(seconds), command),
    "DAEMON_START_TIMEOUT")
end

function DaemonLauncher.cancelled(baseUrl)
  return make(
    LOC("$$$/Junmai/Launch/Cancelled=You stopped waiting for the Junmai daemon at ^1. It may still be starting; try again in a moment.", baseUrl),
    "DAEMON_START_CANCELLED")
end

function DaemonLauncher.noAnswer(baseUrl, seconds)
  return make(
    LOC("$$$/Junmai/Launch/NoAnswer=Lightroom started the Junmai daemon, but it did not answer at ^1 within ^2 s. `junmai logs` shows why it stopped ^U+2014 most often its port is used by another program, or a setting it refuses.", baseUrl, tostring(seconds)),
    "DAEMON_START_TIMEOUT")
end

-- Runs the launchers, in a task of their own, until one succeeds. Returns the state the caller
-- polls: {kind} once one ran, {err} when all failed.
local function launch(deps, baseUrl, commands)
  local state = {}
  deps.startTask(function()
    local last
    for _, c in ipairs(commands) do
      local code = DaemonLauncher.exitCode(deps.execute(c.command))
      if deps.log then deps.log:info("start daemon: " .. c.command .. " -> exit " .. tostring(code)) end
      if code == 0 then
        state.kind = c.kind
        return
      end
      last = { command = c.configured or c.command, kind = c.kind, code = code }
    end
    if last.kind == "custom" then
      state.err = DaemonLauncher.commandFailed(baseUrl, last.command, last.code)
    else
      state.err = DaemonLauncher.notInstalled(baseUrl, deps.platform)
    end
  end, "Junmai start daemon")
  return state
end

--[[
Starts the daemon and waits for it. Call only after a health check was refused (DAEMON_DOWN).
Returns the /api/health answer and the launcher's kind (nil while its command still runs), or
nil and an error {message, code}. An answer that shows the daemon is up but refuses us
(UNAUTHORIZED) is returned as that error.
]]
function DaemonLauncher.start(deps)
  local client = deps.client
  local baseUrl = client.baseUrl
  local commands = DaemonLauncher.commands(deps)
  if #commands == 0 then return nil, DaemonLauncher.noLauncher(baseUrl) end
  local state = launch(deps, baseUrl, commands)
  local timeout = deps.timeout or DaemonLauncher.TIMEOUT
  local interval = deps.interval or DaemonLauncher.INTERVAL
  local deadline = deps.clock() + timeout
  while true do
    if state.err then return nil, state.err end
    if deps.isCanceled and deps.isCanceled() then return nil, DaemonLauncher.cancelled(baseUrl) end
    deps.sleep(interval)
    if state.err then return nil, state.err end
    local health, healthErr = client:health()
    if health then return health, state.kind end
    local code = healthErr and healthErr.code
    if code == "BAD_RESPONSE" or code == "NETWORK_ERROR" then return nil, DaemonLauncher.portBusy(baseUrl) end
    -- Refused or slow: still starting. Anything else is an answer, and final.
    if code ~= "DAEMON_DOWN" and code ~= "DAEMON_TIMEOUT" then return nil, healthErr or DaemonErrors.notRunning(baseUrl) end
    if deps.clock() >= deadline then
      if commands[1].kind == "custom" then return nil, DaemonLauncher.commandNoAnswer(baseUrl, commands[1].configured, timeout) end
      return nil, DaemonLauncher.noAnswer(baseUrl, timeout)
    end
  end
end

return DaemonLauncher
