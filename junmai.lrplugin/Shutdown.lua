--[[
Lightroom is quitting (Info.lua LrShutdownApp). The daemon is left running on purpose: it is a
service of its own (a login item), other clients may use it, and the model it keeps loaded makes
the next session's first photo quick. Only a line in the log.
]]
local Log = require "Log"

return {
  LrShutdownFunction = function(doneFunction, progressFunction)
    Log:info("Lightroom is quitting; the Junmai daemon keeps running.")
    if progressFunction then progressFunction(1) end
    doneFunction()
  end,
}
