-- What each end-to-end spec starts from: the shim fresh, the plug-in's session pointed at a
-- running daemon, a folder of its own; and the HTTP requests the plug-in made, to look back on.
local sdk = require "sdk"
local shellQuote = require("support.shell").quote

local Session = {}

local LrFileUtils = sdk.import "LrFileUtils"
local LrHttp = sdk.import "LrHttp"
local LrPrefs = sdk.import "LrPrefs"
local LrTasks = sdk.import "LrTasks"

-- Resets the shim and the plug-in's session, points the plug-in at url with the given further
-- preferences, and returns its client. No spec against a running daemon should need to start one,
-- so starting any command fails the spec.
function Session.connect(url, prefs)
  sdk.reset()
  local DaemonSession = require "DaemonSession"
  DaemonSession._reset()
  local pluginPrefs = LrPrefs.prefsForPlugin()
  pluginPrefs.daemonUrl = url
  for key, value in pairs(prefs or {}) do pluginPrefs[key] = value end
  LrTasks._executeHook = function(command) error("unexpected command: " .. command) end
  return DaemonSession.client()
end

-- A new empty folder; removeFolder takes it away with all it holds.
function Session.tempFolder()
  local folder = os.tmpname()
  os.remove(folder)
  assert(LrFileUtils.createAllDirectories(folder))
  return folder
end

function Session.removeFolder(folder)
  os.execute("rm -rf " .. shellQuote(folder))
end

-- The requests the plug-in made whose URL holds path, oldest first.
function Session.requests(path)
  local out = {}
  for _, r in ipairs(LrHttp._requests) do
    if string.find(r.url, path, 1, true) then out[#out + 1] = r end
  end
  return out
end

return Session
