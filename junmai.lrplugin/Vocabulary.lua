--[[
The photographer's keywords, read from the catalog's keyword tree once per run: sent to the
daemon (POST /api/evaluate's `vocabulary`, names with their synonyms), and looked up by name
when writing, so an answer's keyword that is already in the catalog is reused where it is.
Junmai's own parent keyword ("Junmai AI") is left out, its children are not.
Call from an async task (LrKeyword:getChildren's rule).
]]
local Json = require "Json"

local Vocabulary = {}

--[[
Returns {entries = Json.array of {name, synonyms?}, byName = {lower-case name = LrKeyword}}.
A name found twice in the tree is sent once; the first found (top-level first) is the one reused.
]]
function Vocabulary.read(catalog, parentName)
  local entries, byName = Json.array({}), {}
  local skip = parentName and string.lower(parentName) or nil
  local function visit(keywords, depth)
    for _, kw in ipairs(keywords or {}) do
      local name = kw:getName()
      local key = string.lower(name)
      if not (depth == 0 and key == skip) and not byName[key] then
        byName[key] = kw
        local entry = { name = name }
        local synonyms = kw:getSynonyms()
        if type(synonyms) == "table" and #synonyms > 0 then
          entry.synonyms = Json.array({})
          for i, synonym in ipairs(synonyms) do entry.synonyms[i] = synonym end
        end
        entries[#entries + 1] = entry
      end
    end
    for _, kw in ipairs(keywords or {}) do visit(kw:getChildren(), depth + 1) end
  end
  visit(catalog:getKeywords(), 0)
  return { entries = entries, byName = byName }
end

function Vocabulary.find(vocabulary, name)
  if not vocabulary then return nil end
  return vocabulary.byName[string.lower(name)]
end

return Vocabulary
