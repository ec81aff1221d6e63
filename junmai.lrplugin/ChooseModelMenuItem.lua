-- File › Plug-in Extras › Choose AI Model… (Lightroom runs this file when the item is chosen).
local SafeRun = require "SafeRun"
local ChooseModelDialog = require "ChooseModelDialog"

SafeRun.task("Junmai choose model", ChooseModelDialog.run)

return {}
