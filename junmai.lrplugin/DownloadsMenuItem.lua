-- File › Plug-in Extras › AI Model Downloads… (Lightroom runs this file when the item is chosen).
local SafeRun = require "SafeRun"
local DownloadsDialog = require "DownloadsDialog"

SafeRun.task("Junmai downloads", DownloadsDialog.run)

return {}
