-- Library › Plug-in Extras › Compare AI Models on Selected Photos… (Lightroom runs this file when chosen).
local SafeRun = require "SafeRun"
local CompareModelsDialog = require "CompareModelsDialog"

SafeRun.task("Junmai compare models", CompareModelsDialog.run)

return {}
