--[[
A fake filterContext for postProcessRenderedPhotos: the renditions an export expects from the
filter, in a folder of their own, and the filter's renditions() iterator over them, as strict as
Lightroom's (SDK guide, "Adding an export post-process action"):

  * When the loop moves on to the next rendition (or ends), the previous one is marked done
    (success) if the filter did not mark it. Its outcome is then fixed: a renditionIsDone that
    comes later has no effect and is only recorded (r.lateCalls).
  * Only the first renditionIsDone of a rendition counts; a second one is recorded as late too.
  * A rendition marked before its render was waited for (waitForRender) is recorded in
    ctx._markedUnwaited; ctx._unwaited() lists those never waited for.

  local ctx = FilterContext.new{ catalog = c, photos = {p1, p2}, settings = {...}, folder = dir,
                                 onRender = function(i, photo) end }
  ctx._marks()   per rendition: {ok, message} of the mark that counted, or "auto" / "none"
  ctx._late()    every mark that had no effect: {index, ok, message}

sourceRendition:waitForRender() writes the photo's JPEG (sdk/jpeg.lua, the photo's comment) at
the rendition's destination, as Lightroom's render would, and returns true and the path (or
false and the photo's _renderError). The iterator refuses to be called again after it ended,
like a spent `for` loop.
]]
local jpeg = require "sdk.jpeg"

local FilterContext = {}

function FilterContext.new(opts)
  local folder = assert(opts.folder, "FilterContext.new needs a folder")
  local ctx = { propertyTable = opts.settings or {}, renditionsToSatisfy = {}, _renders = 0, _markedUnwaited = {} }
  for i, photo in ipairs(opts.photos) do
    local r = { photo = photo, destinationPath = string.format("%s/%03d-%s.jpg", folder, i, photo:getFormattedMetadata("fileName")),
      lateCalls = {} }
    function r.renditionIsDone(self, ok, message)
      assert(self == r, "renditionIsDone is a method: call it with a colon")
      if r.outcome then
        r.lateCalls[#r.lateCalls + 1] = { ok = ok, message = message }
        return
      end
      if not r.waited then ctx._markedUnwaited[#ctx._markedUnwaited + 1] = i end
      r.outcome = { ok = ok, message = message }
    end
    ctx.renditionsToSatisfy[i] = r
  end

  local function autoMark(r)
    if r and not r.outcome then r.outcome = { ok = true, auto = true } end
  end

  function ctx.renditions(self, params)
    assert(self == ctx, "renditions is a method: call it with a colon")
    local _ = params
    local i = 0
    local spent = false
    return function()
      assert(not spent, "the renditions iterator was called after it ended")
      autoMark(ctx.renditionsToSatisfy[i])
      i = i + 1
      local target = ctx.renditionsToSatisfy[i]
      if not target then
        spent = true
        return nil
      end
      local index = i
      local source = { photo = target.photo, destinationPath = target.destinationPath }
      function source.waitForRender(me)
        assert(me == source, "waitForRender is a method: call it with a colon")
        if target.waited then return target.rendered[1], target.rendered[2] end
        target.waited = true
        ctx._renders = ctx._renders + 1
        if opts.onRender then opts.onRender(index, target.photo) end
        if target.photo._renderError then
          target.rendered = { false, target.photo._renderError }
        else
          jpeg.write(target.destinationPath, target.photo._jpeg or ("export " .. tostring(target.photo.localIdentifier)))
          target.rendered = { true, target.destinationPath }
        end
        return target.rendered[1], target.rendered[2]
      end
      return source, target
    end
  end

  function ctx._marks()
    local out = {}
    for i, r in ipairs(ctx.renditionsToSatisfy) do
      if not r.outcome then out[i] = "none"
      elseif r.outcome.auto then out[i] = "auto"
      else out[i] = { ok = r.outcome.ok, message = r.outcome.message } end
    end
    return out
  end

  function ctx._late()
    local out = {}
    for i, r in ipairs(ctx.renditionsToSatisfy) do
      for _, c in ipairs(r.lateCalls) do out[#out + 1] = { index = i, ok = c.ok, message = c.message } end
    end
    return out
  end

  function ctx._unwaited()
    local out = {}
    for i, r in ipairs(ctx.renditionsToSatisfy) do
      if not r.waited then out[#out + 1] = i end
    end
    return out
  end

  return ctx
end

return FilterContext
