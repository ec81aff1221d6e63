--[[
The "Junmai AI Evaluation" post-process action at work (postProcessRenderedPhotos): every photo
of the export is rendered as the export says; each one's file (or, when that is larger than the
chosen long edge or not a JPEG, Junmai's own JPEG of it) is evaluated, and the answer is written
to the photo in the catalog. The export's files themselves are never changed.

Each rendition the export expects from this action is marked done when its photo's evaluation
is written, or not done with the reason (Lightroom lists those at the end of the export). Photos
are taken from Lightroom in order and up to N are in evaluation at once, so a rendition may be
marked after the next ones were taken; if a Lightroom version marked a rendition done by itself
as soon as the next is taken, a photo that fails later would show as exported there — Junmai's
own summary names it either way. Set "Photos in evaluation at once" to 1 in the Plug-in Manager
for strictly one at a time.
]]
local LrApplication = import "LrApplication"
local LrDialogs = import "LrDialogs"
local LrTasks = import "LrTasks"

local EvaluationImages = require "EvaluationImages"
local EvaluationOptions = require "EvaluationOptions"
local Evaluator = require "Evaluator"
local SafeRun = require "SafeRun"
local Log = require "Log"

local EvaluationExport = {}

--[[
The run's source over the filter's renditions. images: EvaluationImages session or nil (the
export's own file is sent). Tracks the items handed out, so none is left unmarked.
]]
function EvaluationExport.source(filterContext, images)
  local iter, state, control = filterContext:renditions()
  local handed = {}
  local source = { handed = handed }

  function source.next()
    local sourceRendition, renditionToSatisfy = iter(state, control)
    if sourceRendition == nil then return nil end
    control = sourceRendition
    local photo = renditionToSatisfy.photo or sourceRendition.photo
    local item = {
      photo = photo,
      name = Evaluator.photoName(photo),
      photoId = tostring(photo.localIdentifier),
      skip = Evaluator.isVideo(photo),
    }
    function item.prepare()
      -- The export's render comes first: its rendition is only done once its file is there.
      local ok, pathOrMessage = sourceRendition:waitForRender()
      if not ok then return nil, pathOrMessage end
      if item.skip or not images then return pathOrMessage end
      local path, message = images.pathFor(photo)
      item.ownImage = path
      return path, message
    end
    function item.finish(ok, message)
      if item.finished then return end
      item.finished = true
      if ok then
        renditionToSatisfy:renditionIsDone(true)
      else
        renditionToSatisfy:renditionIsDone(false, message)
      end
    end
    function item.cleanup()
      if images and item.ownImage then images.delete(item.ownImage) end
    end
    handed[#handed + 1] = item
    return item
  end

  -- Lets Lightroom's iterator reach its end; every rendition taken is marked by now.
  function source.close()
    if source.closed then return end
    source.closed = true
    while true do
      local sourceRendition, renditionToSatisfy = iter(state, control)
      if sourceRendition == nil then return end
      control = sourceRendition
      renditionToSatisfy:renditionIsDone(false, LOC "$$$/Junmai/Export/NotTaken=Junmai did not get to this photo.")
    end
  end

  return source
end

-- Nothing chosen to write: the export goes on as if the action were not there, with a word why.
local function passThrough(filterContext)
  for sourceRendition, renditionToSatisfy in filterContext:renditions() do
    local ok, message = sourceRendition:waitForRender()
    if ok then renditionToSatisfy:renditionIsDone(true) else renditionToSatisfy:renditionIsDone(false, message) end
  end
  LrDialogs.message(LOC "$$$/Junmai/Evaluate/NothingChosenTitle=Junmai had nothing to do.",
    LOC "$$$/Junmai/Export/NothingChosen=Nothing is chosen to write in the export's Junmai AI Evaluation section, so the photos were exported without being evaluated.", "info")
end

-- Junmai's own renders of the export's photos (videos left out), in a temporary folder removed with the context.
local function ownImages(functionContext, renditions, longEdge)
  local deps = Evaluator.imageDeps()
  local folder = EvaluationImages.tempFolder(deps)
  functionContext:addCleanupHandler(function() EvaluationImages.removeFolder(deps, folder) end)
  local photos = {}
  for _, r in ipairs(renditions) do
    if not Evaluator.isVideo(r.photo) then photos[#photos + 1] = r.photo end
  end
  Log:info("export renders larger than " .. longEdge .. " px or not JPEG: Junmai renders its own images in " .. folder)
  return EvaluationImages.session(deps, photos, folder, longEdge)
end

function EvaluationExport.postProcess(functionContext, filterContext)
  local props = filterContext.propertyTable or {}
  local options = EvaluationOptions.read(props)
  if #options.fields == 0 then return passThrough(filterContext) end
  local renditions = filterContext.renditionsToSatisfy or {}
  local total = #renditions
  local source
  local ok, err = LrTasks.pcall(function()
    local images
    if total > 0 and not EvaluationOptions.exportRenderUsable(props, options.longEdge) then
      images = ownImages(functionContext, renditions, options.longEdge)
    end
    source = EvaluationExport.source(filterContext, images)
    Evaluator.run({
      functionContext = functionContext,
      title = LOC "$$$/Junmai/Export/Progress=Junmai AI Evaluation",
      source = source, total = total, options = options,
      catalog = LrApplication.activeCatalog(),
    })
  end)
  if not ok then
    -- A fault in the plug-in (setting up the renders or during the run): every rendition still
    -- gets an answer, and the photographer a sentence, never Lua's text.
    local message = LOC "$$$/Junmai/Export/Unexpected=Junmai could not evaluate this photo because of a fault in the plug-in; the details are in Junmai.log."
    source = source or EvaluationExport.source(filterContext, nil)
    for _, item in ipairs(source.handed) do LrTasks.pcall(item.finish, false, message) end
    Evaluator.drain(source, total - #source.handed, message)
    SafeRun.report(err)
  end
end

return EvaluationExport
