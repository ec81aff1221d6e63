--[[
Junmai's own renders of the image sent to the model: one LrExportSession over the photos, JPEG
at the chosen long edge (EvaluationOptions.renderSettings), into a temporary folder that is
removed afterwards. Lightroom renders ahead in the background; pathFor(photo) waits for one. Renders go on whether
or not they are waited for, so close() skips the ones no longer needed and waits for the rest
before the folder may be removed.

deps: LrExportSession, LrFileUtils, LrPathUtils, clock (seconds) — Evaluator.imageDeps().
]]
local EvaluationOptions = require "EvaluationOptions"

local EvaluationImages = {}

-- A new, empty folder under the system's temporary folder.
function EvaluationImages.tempFolder(deps)
  local base = deps.LrPathUtils.getStandardFilePath("temp")
  for _ = 1, 20 do
    local name = string.format("Junmai AI %d-%06d", math.floor(deps.clock()), math.random(0, 999999))
    local folder = deps.LrPathUtils.child(base, name)
    if not deps.LrFileUtils.exists(folder) then
      deps.LrFileUtils.createAllDirectories(folder)
      return folder
    end
  end
  error("no free temporary folder name under " .. tostring(base))
end

-- Deletes the folder and what is in it (only files are ever put there).
function EvaluationImages.removeFolder(deps, folder)
  if not folder or not deps.LrFileUtils.exists(folder) then return end
  for file in deps.LrFileUtils.files(folder) do deps.LrFileUtils.delete(file) end
  deps.LrFileUtils.delete(folder)
end

local function idOf(photo)
  return photo.localIdentifier
end

--[[
The renders of `photos` in `folder`. Returns an object with
  pathFor(photo) -> path | nil, sentence   (waits for that photo's render)
  delete(path)                             (a file no longer needed)
  close()                                  (skips the renders not asked for, waits for all)
(temporary() adds remove().)
]]
function EvaluationImages.session(deps, photos, folder, longEdge)
  local session = deps.LrExportSession({
    photosToExport = photos,
    exportSettings = EvaluationOptions.renderSettings(folder, longEdge),
  })
  local iter, state, control
  local waiting = {}
  local obj = {}

  function obj.pathFor(photo)
    if not iter then iter, state, control = session:renditions() end
    local id = idOf(photo)
    while waiting[id] == nil do
      local index, rendition = iter(state, control)
      if index == nil then
        return nil, LOC "$$$/Junmai/Images/Missing=Lightroom did not render the image to send for this photo."
      end
      control = index
      waiting[idOf(rendition.photo)] = rendition
    end
    local rendition = waiting[id]
    waiting[id] = nil
    local ok, pathOrMessage = rendition:waitForRender()
    if ok then return pathOrMessage end
    return nil, pathOrMessage
  end

  function obj.close()
    if obj.closed or not iter then return end
    obj.closed = true
    local function settle(rendition)
      rendition:skipRender()
      local ok, path = rendition:waitForRender()
      -- A render that had started before the skip still leaves its file.
      if ok then obj.delete(path) end
    end
    for id, rendition in pairs(waiting) do
      waiting[id] = nil
      settle(rendition)
    end
    while true do
      local index, rendition = iter(state, control)
      if index == nil then return end
      control = index
      settle(rendition)
    end
  end

  function obj.delete(path)
    if path and deps.LrFileUtils.exists(path) then deps.LrFileUtils.delete(path) end
  end

  return obj
end

-- A session in a new temporary folder, removed (the renders settled first) by the session's
-- remove() or at the latest when `context` ends. Returns the session and the folder.
function EvaluationImages.temporary(deps, context, photos, longEdge)
  local folder = EvaluationImages.tempFolder(deps)
  local images = EvaluationImages.session(deps, photos, folder, longEdge)
  -- Renders still under way would write into the folder again: they are skipped or waited for first.
  function images.remove()
    images.close()
    EvaluationImages.removeFolder(deps, folder)
  end
  context:addCleanupHandler(images.remove)
  return images, folder
end

return EvaluationImages
