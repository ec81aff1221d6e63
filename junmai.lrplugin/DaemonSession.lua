--[[
The first contact of an action with the daemon: /api/health, starting the daemon when nothing
answers at a local address (DaemonLauncher), and a warning, once per Lightroom session, when the
daemon speaks another API version than this plug-in.

client() is the DaemonClient for the address and token in the plug-in's prefs.
connect(client, deps) returns the health answer, or nil and an error {message, code}.
connected(opts) is the two together: the client once connected, or nil and the error.
deps (all optional, the SDK's and Junmai.log by default): settings (Settings.read), execute,
startTask, sleep, clock, platform, startupLauncher, fileExists, nodeDirs, isCanceled, LrDialogs, log.
While the daemon starts, a cancelable progress scope says so (unless deps.isCanceled is given).
]]
local DaemonClient = require "DaemonClient"
local DaemonLauncher = require "DaemonLauncher"
local Settings = require "Settings"

local DaemonSession = {}

-- The API this plug-in is written against (daemon/version.ts API_VERSION).
DaemonSession.API_VERSION = 1

local warned = {}

-- The client for the address and token in the plug-in's preferences.
function DaemonSession.client()
  local settings = Settings.read(import("LrPrefs").prefsForPlugin())
  return DaemonClient.new({
    http = import "LrHttp",
    baseUrl = settings.daemonUrl,
    token = settings.token,
    urlError = settings.urlError,
  })
end

-- A sentence when the daemon's API differs from ours, else nil.
function DaemonSession.versionNote(health, baseUrl)
  local theirs = type(health) == "table" and tonumber(health.api_version) or nil
  if theirs == nil or theirs == DaemonSession.API_VERSION then return nil end
  return LOC("$$$/Junmai/Version/Info=This plug-in speaks version ^1 of the daemon's API; the daemon at ^2 speaks version ^3. Some things may fail until both come from the same Junmai release: update the plug-in and the daemon together.",
    tostring(DaemonSession.API_VERSION), tostring(baseUrl), tostring(theirs))
end

-- Warns once per session (and per daemon address and version). Returns true when it warned.
function DaemonSession.checkVersion(health, baseUrl, dialogs)
  local note = DaemonSession.versionNote(health, baseUrl)
  if not note then return false end
  local key = tostring(baseUrl) .. "#" .. tostring(health.api_version)
  if warned[key] then return false end
  warned[key] = true
  dialogs.message(LOC "$$$/Junmai/Version/Title=The Junmai daemon and this plug-in do not match.", note, "warning")
  return true
end

--[[
The Startup-folder launcher daemon/service/windows.ts writes: %APPDATA%\Microsoft\Windows\Start
Menu\Programs\Startup\Junmai.cmd. Lightroom's "appData" is its own folder under %APPDATA%
(...\AppData\Roaming\Adobe\Lightroom), so %APPDATA% is two levels up from it.
]]
function DaemonSession.startupLauncher(appData, paths)
  local roaming = appData and paths.parent(appData)
  roaming = roaming and paths.parent(roaming)
  if not roaming then return nil end
  local path = roaming
  for _, part in ipairs({ "Microsoft", "Windows", "Start Menu", "Programs", "Startup", "Junmai.cmd" }) do
    path = paths.child(path, part)
  end
  return path
end

local function sdkDeps(deps)
  deps = deps or {}
  local out = {}
  for k, v in pairs(deps) do out[k] = v end
  if not out.settings then
    out.settings = Settings.read(import("LrPrefs").prefsForPlugin())
  end
  -- The launcher's attempts (command and exit code) belong in Junmai.log.
  out.log = out.log or require "Log"
  local LrTasks = import "LrTasks"
  out.execute = out.execute or LrTasks.execute
  out.sleep = out.sleep or LrTasks.sleep
  out.clock = out.clock or import("LrDate").currentTime
  out.LrDialogs = out.LrDialogs or import "LrDialogs"
  if out.platform == nil then
    out.platform = (WIN_ENV and "win") or (MAC_ENV and "mac") or "other"
  end
  local LrPathUtils = import "LrPathUtils"
  local LrFileUtils = import "LrFileUtils"
  if out.platform == "win" and out.startupLauncher == nil then
    out.startupLauncher = DaemonSession.startupLauncher(LrPathUtils.getStandardFilePath("appData"), LrPathUtils)
  end
  if out.platform == "mac" and out.nodeDirs == nil then
    local home = LrPathUtils.getStandardFilePath("home")
    local versions = {}
    local nvm = home .. "/.nvm/versions/node"
    if LrFileUtils.exists(nvm) == "directory" then
      for entry in LrFileUtils.directoryEntries(nvm) do versions[#versions + 1] = LrPathUtils.leafName(entry) end
    end
    out.nodeDirs = DaemonLauncher.macNodeDirs(home, versions)
  end
  out.startTask = out.startTask or LrTasks.startAsyncTask
  out.fileExists = out.fileExists or LrFileUtils.exists
  return out
end

function DaemonSession.connect(client, deps)
  deps = sdkDeps(deps)
  local health, err = client:health()
  if not health and err and err.code == "DAEMON_DOWN" and deps.settings.autoStart and DaemonLauncher.isLocal(client.baseUrl) then
    local scope
    local isCanceled = deps.isCanceled
    if not isCanceled then
      scope = import("LrProgressScope")({ title = LOC "$$$/Junmai/Launch/Progress=Starting the Junmai daemon^U+2026" })
      scope:setCancelable(true)
      scope:setIndeterminate()
      isCanceled = function() return scope:isCanceled() end
    end
    health, err = DaemonLauncher.start({
      client = client, execute = deps.execute, startTask = deps.startTask, sleep = deps.sleep, clock = deps.clock,
      platform = deps.platform, startCommand = deps.settings.startCommand, nodeDirs = deps.nodeDirs,
      startupLauncher = deps.startupLauncher, fileExists = deps.fileExists, isCanceled = isCanceled,
      timeout = deps.timeout, interval = deps.interval, log = deps.log,
    })
    if scope then scope:done() end
  end
  if not health then return nil, err end
  DaemonSession.checkVersion(health, client.baseUrl, deps.LrDialogs)
  return health
end

-- The client, once connect() got an answer; or nil and the error. opts (for specs): client, connect.
function DaemonSession.connected(opts)
  opts = opts or {}
  local client = opts.client or DaemonSession.client()
  local health, err = (opts.connect or DaemonSession.connect)(client)
  if not health then return nil, err end
  return client
end

-- For specs: a new Lightroom session.
function DaemonSession._reset()
  warned = {}
end

return DaemonSession
