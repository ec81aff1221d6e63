--[[
Library › Plug-in Extras › Evaluate Selected Photos with AI…: asks what to write (the same
choices as the export's "Junmai AI Evaluation" section, remembered in the plug-in's prefs),
renders each selected photo as a small JPEG into a temporary folder (EvaluationImages), has it
evaluated and writes the answers; each file is deleted once its photo is done, the folder at
the end, once the renders not needed (after a cancel or a stop) are skipped and the rest have
finished. Videos are skipped. Call run() from an async task (SafeRun.task).
]]
local LrApplication = import "LrApplication"
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrPrefs = import "LrPrefs"
local LrView = import "LrView"

local EvaluationImages = require "EvaluationImages"
local EvaluationOptions = require "EvaluationOptions"
local EvaluationView = require "EvaluationView"
local Evaluator = require "Evaluator"

local EvaluateSelected = {}

-- The source of the run: the photos in order, each rendered by `images` when its turn comes.
function EvaluateSelected.source(photos, images)
  local index = 0
  return {
    next = function()
      index = index + 1
      local photo = photos[index]
      if not photo then return nil end
      local item = { photo = photo, name = Evaluator.photoName(photo), photoId = tostring(photo.localIdentifier) }
      function item.prepare()
        local path, message = images.pathFor(photo)
        item.path = path
        return path, message
      end
      function item.finish() end
      function item.cleanup() images.delete(item.path) end
      return item
    end,
  }
end

-- Returns what happened: "none" (nothing selected), "cancelled" (dialog closed) or "done".
function EvaluateSelected.run(context)
  local catalog = LrApplication.activeCatalog()
  local photos, videos = {}, 0
  for _, photo in ipairs(catalog:getTargetPhotos() or {}) do
    if Evaluator.isVideo(photo) then videos = videos + 1 else photos[#photos + 1] = photo end
  end
  if #photos == 0 then
    LrDialogs.message(LOC "$$$/Junmai/Selected/NoneTitle=No photos to evaluate.",
      LOC "$$$/Junmai/Selected/NoneInfo=Select one or more photos in the Library (videos are not evaluated), then choose Evaluate Selected Photos with AI^U+2026 again.", "info")
    return "none"
  end

  local prefs = LrPrefs.prefsForPlugin()
  local props = EvaluationOptions.copy(prefs, LrBinding.makePropertyTable(context))
  local f = LrView.osFactory()
  local answer = LrDialogs.presentModalDialog({
    title = LOC("$$$/Junmai/Selected/Title=Evaluate ^1 with AI", #photos == 1 and LOC "$$$/Junmai/Selected/OnePhoto=1 photo" or LOC("$$$/Junmai/Selected/Photos=^1 photos", tostring(#photos))),
    contents = EvaluationView.controls(f, props),
    actionVerb = LOC "$$$/Junmai/Selected/Action=Evaluate",
  })
  if answer ~= "ok" then return "cancelled" end
  EvaluationOptions.copy(props, prefs)
  local options = EvaluationOptions.read(props)

  local images = EvaluationImages.temporary(Evaluator.imageDeps(), context, photos, options.longEdge)
  Evaluator.run({
    functionContext = context,
    title = LOC "$$$/Junmai/Export/Progress=Junmai AI Evaluation",
    source = EvaluateSelected.source(photos, images), total = #photos, options = options,
    catalog = catalog, skipped = videos, runSource = "selected",
  })
  images.remove()
  return "done"
end

return EvaluateSelected
