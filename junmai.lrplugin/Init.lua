-- Runs when Lightroom loads the plug-in: fills in preferences a fresh install does not have yet.
local LrPrefs = import "LrPrefs"
local Settings = require "Settings"
local Log = require "Log"

Settings.applyDefaults(LrPrefs.prefsForPlugin())
Log:info("Junmai AutoDev loaded; daemon at " .. tostring(Settings.read(LrPrefs.prefsForPlugin()).daemonUrl))

return {}
