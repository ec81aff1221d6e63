-- The plug-in's one logger. It writes to Lightroom's log folder (Junmai.log), never to a dialog.
local LrLogger = import "LrLogger"

local logger = LrLogger("Junmai")
logger:enable("logfile")

return logger
