--[[
Export sessions that "render" each photo by writing a small JPEG (sdk/jpeg.lua, with the photo's
comment) where the settings say: LR_export_destinationPathPrefix, named after the photo, renamed
"-2", "-3"… on a clash when LR_collisionHandling is "rename". A photo with _renderError fails; a photo's _onRender(photo) is called as its render happens.
Sessions are kept in LrExportSession._sessions for specs to read their settings.

Once a session's renditions() is called, Lightroom renders all its photos in the background,
whether or not anybody waits for them:
LrExportSession._finishRenders() plays that out for specs, writing every rendition that was
neither waited for nor skipped (rendition:skipRender()), into its folder even when that folder
has been removed meanwhile. session:_unsettled() counts those.
]]
local jpeg = require "sdk.jpeg"

local LrExportSession = { _sessions = {} }

local Session = {}
Session.__index = Session

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function baseName(fileName)
  return (string.gsub(fileName, "%.[^.]*$", ""))
end

function Session:_destination(photo)
  local s = self.exportSettings
  local folder = assert(s.LR_export_destinationPathPrefix, "the shim renders only to a specific folder")
  local base = folder .. "/" .. baseName(photo:getFormattedMetadata("fileName"))
  local path = base .. ".jpg"
  -- "overwrite" (or anything else) reuses the name: a later photo replaces an earlier one's file.
  if s.LR_collisionHandling == "rename" then
    local n = 1
    while self._claimed[path] or exists(path) do
      n = n + 1
      path = base .. "-" .. n .. ".jpg"
    end
  end
  self._claimed[path] = true
  return path
end

function Session:_rendition(photo)
  local rendition = { photo = photo, destinationPath = self:_destination(photo) }
  self._renditions[#self._renditions + 1] = rendition
  local session = self
  local function render()
    if rendition.rendered then return rendition.rendered[1], rendition.rendered[2] end
    if photo._onRender then photo._onRender(photo) end
    if photo._renderError then
      rendition.rendered = { false, photo._renderError }
    else
      os.execute("mkdir -p '" .. string.gsub(string.match(rendition.destinationPath, "^(.*)/"), "'", "'\\''") .. "'")
      jpeg.write(rendition.destinationPath, photo._jpeg or ("photo " .. tostring(photo.localIdentifier)))
      session._rendered[#session._rendered + 1] = rendition.destinationPath
      rendition.rendered = { true, rendition.destinationPath }
    end
    return rendition.rendered[1], rendition.rendered[2]
  end
  rendition._render = render
  -- Methods, as in Lightroom: `rendition.waitForRender()` without the colon raises there too.
  function rendition.waitForRender(me)
    assert(me == rendition, "waitForRender is a method: call it with a colon")
    if rendition.wasSkipped then return false, "skipped" end
    rendition.waited = true
    return render()
  end
  function rendition.skipRender(me)
    assert(me == rendition, "skipRender is a method: call it with a colon")
    if not rendition.rendered then rendition.wasSkipped = true end
  end
  return rendition
end

function Session:renditions(params)
  local _ = params
  self._iterated = true
  -- Every photo has its rendition from the start; the iterator hands them out in order.
  if #self._renditions == 0 then
    for _, photo in ipairs(self.photosToExport) do self:_rendition(photo) end
  end
  local i = 0
  return function()
    i = i + 1
    local rendition = self._renditions[i]
    if not rendition then return nil end
    return i, rendition
  end
end

function Session:_unsettled()
  local n = 0
  for _, r in ipairs(self._renditions) do
    if not r.waited and not r.wasSkipped then n = n + 1 end
  end
  return n
end

function Session:countRenditions()
  return #self.photosToExport
end

function Session:doExportOnCurrentTask()
  for _, r in self:renditions() do r:waitForRender() end
end

setmetatable(LrExportSession, {
  __call = function(_, params)
    assert(type(params) == "table" and type(params.photosToExport) == "table" and type(params.exportSettings) == "table",
      "LrExportSession needs photosToExport and exportSettings")
    local session = setmetatable({ photosToExport = params.photosToExport, exportSettings = params.exportSettings,
      _claimed = {}, _rendered = {}, _renditions = {} }, Session)
    LrExportSession._sessions[#LrExportSession._sessions + 1] = session
    return session
  end,
})

function LrExportSession._finishRenders()
  for _, session in ipairs(LrExportSession._sessions) do
    for _, r in ipairs(session._renditions) do
      if not r.wasSkipped then r._render() end
    end
  end
end

function LrExportSession._reset()
  LrExportSession._sessions = {}
end

return LrExportSession
