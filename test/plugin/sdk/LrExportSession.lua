--[[
Export sessions that "render" each photo by writing a small JPEG (sdk/jpeg.lua, with the photo's
comment) where the settings say: LR_export_destinationPathPrefix, named after the photo, renamed
"-2", "-3"… on a clash when LR_collisionHandling is "rename". A photo with _renderError fails.
Sessions are kept in LrExportSession._sessions for specs to read their settings.
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

function Session:renditions(params)
  local _ = params
  self._iterated = true
  local i = 0
  return function()
    i = i + 1
    local photo = self.photosToExport[i]
    if not photo then return nil end
    local rendition = { photo = photo, destinationPath = self:_destination(photo) }
    function rendition.waitForRender()
      if photo._renderError then return false, photo._renderError end
      jpeg.write(rendition.destinationPath, photo._jpeg or ("photo " .. tostring(photo.localIdentifier)))
      self._rendered[#self._rendered + 1] = rendition.destinationPath
      return true, rendition.destinationPath
    end
    return i, rendition
  end
end

function Session:countRenditions()
  return #self.photosToExport
end

function Session:doExportOnCurrentTask()
  for _, r in self:renditions() do r.waitForRender() end
end

setmetatable(LrExportSession, {
  __call = function(_, params)
    assert(type(params) == "table" and type(params.photosToExport) == "table" and type(params.exportSettings) == "table",
      "LrExportSession needs photosToExport and exportSettings")
    local session = setmetatable({ photosToExport = params.photosToExport, exportSettings = params.exportSettings,
      _claimed = {}, _rendered = {} }, Session)
    LrExportSession._sessions[#LrExportSession._sessions + 1] = session
    return session
  end,
})

function LrExportSession._reset()
  LrExportSession._sessions = {}
end

return LrExportSession
