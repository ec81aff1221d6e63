--[[
The plug-in's own metadata fields (Info.lua's LrMetadataProvider): what the model suggested for a
photo, kept beside it until the photographer reviews it. Nothing here touches Lightroom's own
rating, flag, keywords, caption or title.

SDK guide, "Adding custom metadata": field ids are Lua-style names (a letter, then letters or
digits); a field with a title shows in the Metadata panel; searchable fields go to an indexed
table, so they can be smart-collection criteria ("AI suggests reject"), and their strings must
stay within 511 bytes; browsable fields also show in the Library filter's metadata browser.
Every value is stored as a string (dataType "string" or an "enum" of strings), so the caption,
title and reasons, which can be longer than 511 bytes, are shown but not searchable.

Bump schemaVersion whenever a field changes; updateFromEarlierSchemaVersion runs then (inside a
private write Lightroom opens itself).
]]
local function stars(n)
  if n == 1 then return LOC "$$$/Junmai/Fields/OneStar=1 star" end
  return LOC("$$$/Junmai/Fields/Stars=^1 stars", tostring(n))
end

local ratings = { { value = nil, title = LOC "$$$/Junmai/Fields/NoSuggestion=No suggestion" } }
for n = 1, 5 do ratings[#ratings + 1] = { value = tostring(n), title = stars(n) } end

return {
  schemaVersion = 1,
  metadataFieldsForPhotos = {
    { id = "aiRating", title = LOC "$$$/Junmai/Fields/Rating=AI rating", dataType = "enum", values = ratings,
      readOnly = true, searchable = true, browsable = true },
    { id = "aiFlag", title = LOC "$$$/Junmai/Fields/Flag=AI flag", dataType = "enum", readOnly = true, searchable = true, browsable = true,
      values = {
        { value = nil, title = LOC "$$$/Junmai/Fields/NoSuggestion=No suggestion" },
        { value = "pick", title = LOC "$$$/Junmai/Fields/Pick=Pick" },
        { value = "reject", title = LOC "$$$/Junmai/Fields/Reject=Reject" },
        { value = "none", title = LOC "$$$/Junmai/Fields/Unflagged=Unflagged" },
      } },
    { id = "aiKeywords", title = LOC "$$$/Junmai/Fields/Keywords=AI keywords", dataType = "string", readOnly = true, searchable = true },
    { id = "aiCaption", title = LOC "$$$/Junmai/Fields/Caption=AI caption", dataType = "string", readOnly = true },
    { id = "aiTitle", title = LOC "$$$/Junmai/Fields/Title=AI title", dataType = "string", readOnly = true },
    { id = "aiReasons", title = LOC "$$$/Junmai/Fields/Reasons=AI reasons", dataType = "string", readOnly = true },
    { id = "aiModel", title = LOC "$$$/Junmai/Fields/Model=AI model", dataType = "string", readOnly = true, searchable = true, browsable = true },
    { id = "aiRun", title = LOC "$$$/Junmai/Fields/Run=AI run", dataType = "string", readOnly = true, searchable = true, browsable = true },
    { id = "aiWhen", title = LOC "$$$/Junmai/Fields/When=AI suggested on", dataType = "string", readOnly = true, searchable = true },
  },
  -- Version 1 is the first: nothing to carry over yet. A later version migrates here
  -- (catalog, previousSchemaVersion, progressScope), never opening a write of its own.
  updateFromEarlierSchemaVersion = function() end,
}
