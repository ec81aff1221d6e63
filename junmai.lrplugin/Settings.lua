--[[
The plug-in's preferences: where the daemon is and the access token, whether (and how) the
plug-in starts a daemon it finds not running, and how many photos it keeps in evaluation at once,
with their defaults. A daemon address is normalised here once, so every request is built from a
clean base URL.
]]
local Settings = {}

Settings.DEFAULT_URL = "http://127.0.0.1:5100"

local function trim(s)
  return (string.gsub(s or "", "^%s*(.-)%s*$", "%1"))
end

-- Returns a base URL without a trailing slash, or nil and a sentence for the photographer.
function Settings.normalizeUrl(text)
  local url = trim(text)
  if url == "" then return Settings.DEFAULT_URL end
  if not string.find(url, "^%a[%w+.-]*://") then url = "http://" .. url end
  url = string.gsub(url, "/+$", "")
  local scheme, host, port = string.match(url, "^(%a[%w+.-]*)://([^/:%[%]]+):?(%d*)")
  if not scheme then
    scheme, host, port = string.match(url, "^(%a[%w+.-]*)://(%[[%x:.]+%]):?(%d*)")
  end
  local valid = scheme and (string.lower(scheme) == "http" or string.lower(scheme) == "https")
    and host and string.find(host, "^[%w.%-%[%]:]+$")
    and (port == "" or (tonumber(port) >= 1 and tonumber(port) <= 65535))
  if not valid or string.find(url, "%s") then
    return nil, LOC("$$$/Junmai/Settings/BadUrl=^U+201C^1^U+201D is not a daemon address. Use one like ^2.", trim(text), Settings.DEFAULT_URL)
  end
  return url
end

-- The most photos the plug-in keeps in evaluation at once, whatever the daemon or the prefs say.
Settings.MAX_IN_FLIGHT = 8

function Settings.applyDefaults(prefs)
  if prefs.daemonUrl == nil or trim(prefs.daemonUrl) == "" then prefs.daemonUrl = Settings.DEFAULT_URL end
  if prefs.token == nil then prefs.token = "" end
  if prefs.autoStartDaemon == nil then prefs.autoStartDaemon = true end
  if prefs.daemonStartCommand == nil then prefs.daemonStartCommand = "" end
end

-- A whole number from 1 to MAX_IN_FLIGHT, or nil (then the daemon's figure or the default is used).
function Settings.inFlight(value)
  local n = tonumber(value)
  if not n or n ~= math.floor(n) or n < 1 then return nil end
  return math.min(n, Settings.MAX_IN_FLIGHT)
end

--[[
The settings in force: {daemonUrl, token (nil when empty), urlError (a sentence, or nil),
autoStart (boolean), startCommand (nil when empty: the login item is used), inFlight (nil or 1..8)}.
]]
function Settings.read(prefs)
  local url, urlError = Settings.normalizeUrl(prefs.daemonUrl)
  local token = trim(prefs.token)
  local command = trim(prefs.daemonStartCommand)
  return {
    daemonUrl = url or trim(prefs.daemonUrl),
    urlError = urlError,
    token = token ~= "" and token or nil,
    autoStart = prefs.autoStartDaemon ~= false,
    startCommand = command ~= "" and command or nil,
    inFlight = Settings.inFlight(prefs.evaluationsInFlight),
  }
end

return Settings
