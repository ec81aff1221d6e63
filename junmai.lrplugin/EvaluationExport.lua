--[[
The "Junmai AI Evaluation" post-process action at work (postProcessRenderedPhotos): every photo
of the export is rendered as the export says; each one's file (or, when that is larger than the
chosen long edge or not a JPEG, Junmai's own JPEG of it) is evaluated, and the answer is written
to the photo in the catalog. The export's files themselves are never changed.

What Lightroom is told about each rendition is the export's outcome: its file. A rendition is
marked as soon as its render is waited for — done when the file is there, not done with
Lightroom's reason when it is not — so the mark is in place before the loop moves on (Lightroom
marks a rendition done by itself when the loop advances, and ignores later marks). A photo whose
evaluation fails was still exported: the run's summary names it with the reason, and it goes into
the collection "Junmai: not evaluated" (Evaluator).
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
export's own file is sent). Every rendition taken is waited for and marked before the next is
taken, whether the run evaluates it, stops before it or never starts.
]]
function EvaluationExport.source(filterContext, images)
  local iter, state, control = filterContext:renditions()
  local handed = {}
  local source = { handed = handed }

  -- Waits for the export's render of a rendition and tells Lightroom how it went, once.
  local function settle(sourceRendition, renditionToSatisfy)
    local ok, pathOrMessage = sourceRendition:waitForRender()
    if ok then
      renditionToSatisfy:renditionIsDone(true)
    else
      renditionToSatisfy:renditionIsDone(false, pathOrMessage)
    end
    return ok, pathOrMessage
  end

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
    local rendered, pathOrMessage
    local function wait()
      if rendered == nil then rendered, pathOrMessage = settle(sourceRendition, renditionToSatisfy) end
      return rendered, pathOrMessage
    end
    function item.prepare()
      local ok, path = wait()
      if not ok then return nil, path end
      if item.skip or not images then return path end
      local own, message = images.pathFor(photo)
      item.ownImage = own
      return own, message
    end
    -- The run's outcome goes to its summary; the rendition only needs its render settled.
    function item.finish() wait() end
    function item.cleanup()
      if images and item.ownImage then images.delete(item.ownImage) end
    end
    handed[#handed + 1] = item
    return item
  end

  -- Lets Lightroom's iterator reach its end, settling any rendition not taken.
  function source.close()
    if source.closed then return end
    source.closed = true
    while true do
      local sourceRendition, renditionToSatisfy = iter(state, control)
      if sourceRendition == nil then break end
      control = sourceRendition
      settle(sourceRendition, renditionToSatisfy)
    end
    if images then images.close() end
  end

  return source
end

-- Nothing chosen to write: the export goes on as if the action were not there, with a word why.
local function passThrough(filterContext)
  local source = EvaluationExport.source(filterContext, nil)
  source.close()
  LrDialogs.message(LOC "$$$/Junmai/Evaluate/NothingChosenTitle=Junmai had nothing to do.",
    LOC "$$$/Junmai/Export/NothingChosen=Nothing is chosen to write in the export's Junmai AI Evaluation section, so the photos were exported without being evaluated.", "info")
end

-- Junmai's own renders of the export's photos (videos left out), in a temporary folder removed with the context.
local function ownImages(functionContext, renditions, longEdge)
  local photos = {}
  for _, r in ipairs(renditions) do
    if not Evaluator.isVideo(r.photo) then photos[#photos + 1] = r.photo end
  end
  local images, folder = EvaluationImages.temporary(Evaluator.imageDeps(), functionContext, photos, longEdge)
  Log:info("export renders larger than " .. longEdge .. " px or not JPEG: Junmai renders its own images in " .. folder)
  return images
end

function EvaluationExport.postProcess(functionContext, filterContext)
  local props = filterContext.propertyTable or {}
  local options = EvaluationOptions.read(props, true)
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
      catalog = LrApplication.activeCatalog(), runSource = "export",
    })
  end)
  if not ok then
    -- A fault in the plug-in (setting up the renders or during the run): every rendition is
    -- still settled with Lightroom, and the photographer gets a sentence, never Lua's text.
    source = source or EvaluationExport.source(filterContext, nil)
    for _, item in ipairs(source.handed) do LrTasks.pcall(item.finish) end
    Evaluator.drain(source, total - #source.handed)
    SafeRun.report(err)
  end
end

return EvaluationExport
