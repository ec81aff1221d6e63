--[[
A fake filterContext for postProcessRenderedPhotos: the renditions an export expects from the
filter, in a folder of their own, and the filter's renditions() iterator over them.

  local ctx = FilterContext.new{ catalog = c, photos = {p1, p2}, settings = {...}, folder = dir,
                                 onRender = function(i, photo) end }
  ctx.renditionsToSatisfy[i].doneCalls   every renditionIsDone(ok, message) made, in order
  ctx.renditionsToSatisfy[i].autoDone    true when the iterator had to mark it done itself

sourceRendition:waitForRender() writes the photo's JPEG (sdk/jpeg.lua, the photo's comment) at
the rendition's destination, as Lightroom's render would, and returns true and the path (or
false and the photo's _renderError). The iterator marks a rendition nobody marked done (true)
only when it runs out, and refuses to be called again after that, like a spent `for` loop.
]]
local jpeg = require "sdk.jpeg"

local FilterContext = {}

function FilterContext.new(opts)
  local folder = assert(opts.folder, "FilterContext.new needs a folder")
  local ctx = { propertyTable = opts.settings or {}, renditionsToSatisfy = {}, _renders = 0 }
  for i, photo in ipairs(opts.photos) do
    local r = { photo = photo, destinationPath = string.format("%s/%03d-%s.jpg", folder, i, photo:getFormattedMetadata("fileName")), doneCalls = {} }
    function r.renditionIsDone(self, ok, message)
      assert(self == r, "renditionIsDone is a method: call it with a colon")
      r.doneCalls[#r.doneCalls + 1] = { ok = ok, message = message }
    end
    ctx.renditionsToSatisfy[i] = r
  end

  function ctx.renditions(self, params)
    assert(self == ctx, "renditions is a method: call it with a colon")
    local _ = params
    local i = 0
    local spent = false
    return function()
      assert(not spent, "the renditions iterator was called after it ended")
      i = i + 1
      local target = ctx.renditionsToSatisfy[i]
      if not target then
        spent = true
        for _, r in ipairs(ctx.renditionsToSatisfy) do
          if #r.doneCalls == 0 then
            r.autoDone = true
            r.doneCalls[1] = { ok = true, auto = true }
          end
        end
        return nil
      end
      local index = i
      local source = { photo = target.photo, destinationPath = target.destinationPath }
      function source.waitForRender(me)
        assert(me == source, "waitForRender is a method: call it with a colon")
        ctx._renders = ctx._renders + 1
        if opts.onRender then opts.onRender(index, target.photo) end
        if target.photo._renderError then return false, target.photo._renderError end
        jpeg.write(target.destinationPath, target.photo._jpeg or ("export " .. tostring(target.photo.localIdentifier)))
        return true, target.destinationPath
      end
      return source, target
    end
  end

  -- For specs: {ok, message} of each rendition's one explicit mark, or "none"/"many".
  function ctx._marks()
    local out = {}
    for i, r in ipairs(ctx.renditionsToSatisfy) do
      if r.autoDone then out[i] = "auto"
      elseif #r.doneCalls == 1 then out[i] = r.doneCalls[1]
      elseif #r.doneCalls == 0 then out[i] = "none"
      else out[i] = "many" end
    end
    return out
  end

  return ctx
end

return FilterContext
