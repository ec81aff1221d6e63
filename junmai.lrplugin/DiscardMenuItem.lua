-- Library › Plug-in Extras › Discard AI Suggestions… (Lightroom runs this file when chosen).
local SafeRun = require "SafeRun"
local ReviewDialog = require "ReviewDialog"

SafeRun.task("Junmai discard suggestions", ReviewDialog.discard)

return {}
