--[[
"Suggest only": the run's answers go into the plug-in's own fields (Suggestions), and none of
Lightroom's own (rating, flag, keywords, caption, title) is touched. Same interface as
MetadataWriter's writer, so EvaluationRun takes either: write(entries) -> outcomes, one
withWriteAccessDo per batch.

opts: catalog, options (EvaluationOptions.read), pcall, log, timeout, run (this run's id),
      when (its time, as shown in the Metadata panel).
]]
local MetadataWriter = require "MetadataWriter"
local Suggestions = require "Suggestions"

local SuggestionWriter = {}
SuggestionWriter.__index = SuggestionWriter

function SuggestionWriter.new(opts)
  return setmetatable({
    catalog = opts.catalog,
    options = opts.options,
    pcall = opts.pcall or pcall,
    log = opts.log,
    timeout = opts.timeout or MetadataWriter.WRITE_TIMEOUT,
    run = opts.run,
    when = opts.when,
    actionName = LOC "$$$/Junmai/Suggest/Action=Junmai AI Suggestions",
  }, SuggestionWriter)
end

-- The id and time of a run that starts now, from os.time()-style seconds.
function SuggestionWriter.runStamp(seconds)
  return os.date("%Y%m%d-%H%M%S", seconds), os.date("%Y-%m-%d %H:%M", seconds)
end

function SuggestionWriter:write(entries)
  local outcomes = {}
  local status = self.catalog:withWriteAccessDo(self.actionName, function()
    for i, entry in ipairs(entries) do
      local ok, err = self.pcall(function()
        local values = Suggestions.values(entry.result, self.options.write,
          { model = entry.model, run = self.run, when = self.when })
        Suggestions.store(entry.photo, values)
      end)
      if ok then
        outcomes[i] = { ok = true, written = {}, kept = {}, suggested = true }
      else
        if self.log then self.log:error("storing suggestions: " .. tostring(err)) end
        outcomes[i] = { ok = false, message = LOC "$$$/Junmai/Suggest/Failed=Lightroom refused to keep the suggestions for this photo; the details are in Junmai.log." }
      end
    end
  end, { timeout = self.timeout })
  if status == "aborted" then
    local message = MetadataWriter.busyMessage(self.timeout)
    for i = 1, #entries do outcomes[i] = { ok = false, message = message } end
  end
  return outcomes
end

return SuggestionWriter
