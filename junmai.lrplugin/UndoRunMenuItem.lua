-- Library › Plug-in Extras › Undo AI Run… (Lightroom runs this file when chosen).
local SafeRun = require "SafeRun"
local UndoRunDialog = require "UndoRunDialog"

SafeRun.task("Junmai undo run", UndoRunDialog.run)

return {}
