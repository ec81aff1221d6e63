-- Progress scopes that record their title, portions, captions, cancellation and completion.
local LrProgressScope = { _scopes = {} }

local Scope = {}
Scope.__index = Scope

function Scope:setPortionComplete(done, total)
  self.portion = (total and total > 0) and (done / total) or done
  self.portions[#self.portions + 1] = self.portion
end

function Scope:getPortionComplete() return self.portion end

function Scope:setCaption(caption)
  self.caption = caption
  self.captions[#self.captions + 1] = caption
end

function Scope:setCancelable(cancelable) self.cancelable = cancelable end
function Scope:setIndeterminate() self.indeterminate = true end
function Scope:isCanceled() return self.canceled end
function Scope:cancel() self.canceled = true end
function Scope:done() self.finished = true end
function Scope:isDone() return self.finished end
function Scope:attachToFunctionContext(context) self.functionContext = context end

setmetatable(LrProgressScope, {
  __call = function(_, args)
    local scope = setmetatable({
      title = args.title, caption = args.caption, functionContext = args.functionContext,
      parent = args.parent, cancelable = true, canceled = false, finished = false,
      portion = 0, portions = {}, captions = {},
    }, Scope)
    LrProgressScope._scopes[#LrProgressScope._scopes + 1] = scope
    return scope
  end,
})

function LrProgressScope._reset()
  LrProgressScope._scopes = {}
end

return LrProgressScope
