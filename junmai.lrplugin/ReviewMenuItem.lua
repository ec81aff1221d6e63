-- Library › Plug-in Extras › Review AI Suggestions… (Lightroom runs this file when chosen).
local SafeRun = require "SafeRun"
local ReviewDialog = require "ReviewDialog"

SafeRun.task("Junmai review suggestions", ReviewDialog.review)

return {}
