-- The active catalog: a fake one (sdk/catalog.lua) that specs set with LrApplication._setCatalog.
local Catalog = require "sdk.catalog"

local LrApplication = {}
local active

function LrApplication.activeCatalog()
  active = active or Catalog.new()
  return active
end

function LrApplication.versionTable()
  return { major = 14, minor = 0, revision = 0, build = 0 }
end

function LrApplication._setCatalog(catalog)
  active = catalog
end

function LrApplication._reset()
  active = nil
end

return LrApplication
