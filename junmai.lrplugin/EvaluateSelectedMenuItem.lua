-- Library › Plug-in Extras › Evaluate Selected Photos with AI… (Lightroom runs this file when chosen).
local SafeRun = require "SafeRun"
local EvaluateSelected = require "EvaluateSelected"

SafeRun.task("Junmai evaluate selected", EvaluateSelected.run)

return {}
