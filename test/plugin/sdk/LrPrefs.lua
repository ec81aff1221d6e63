-- Plug-in preferences held in memory (an observable table, as Lightroom's prefs object is).
local LrBinding = require "sdk.LrBinding"

local LrPrefs = {}
local prefs

function LrPrefs.prefsForPlugin(pluginId)
  local _ = pluginId
  prefs = prefs or LrBinding.makePropertyTable()
  return prefs
end

function LrPrefs._reset()
  -- Clear in place: plugin modules may hold the object from a require made before the reset.
  if prefs then
    local keys = {}
    for k in prefs:pairs() do keys[#keys + 1] = k end
    for _, k in ipairs(keys) do prefs[k] = nil end
  end
end

return LrPrefs
