--[[
What the export filter and Evaluate Selected Photos share: reach the daemon (starting it if
need be), decide how many photos to keep in flight, run EvaluationRun with Lightroom's catalog,
tasks and a progress bar, and tell the photographer how it went. Call from an async task.

args: functionContext, title (of the progress bar), source and total (see EvaluationRun),
      options (EvaluationOptions.read), catalog, skipped (photos left out beforehand),
      runSource ("export" | "selected": where the run came from, as its record says);
      for specs also client, connect, dialogs, now (os.time-style seconds).

"Suggest only" keeps the answers in the plug-in's fields (SuggestionWriter); otherwise they are
written to the photos (MetadataWriter) and the writes recorded as a run (RunRecorder). The
catalog's keywords are read once per run, before the first photo (Vocabulary).
Returns EvaluationRun's report.
]]
local LrDate = import "LrDate"
local LrDialogs = import "LrDialogs"
local LrExportSession = import "LrExportSession"
local LrFileUtils = import "LrFileUtils"
local LrPathUtils = import "LrPathUtils"
local LrPrefs = import "LrPrefs"
local LrProgressScope = import "LrProgressScope"
local LrTasks = import "LrTasks"

local DaemonSession = require "DaemonSession"
local EvaluationOptions = require "EvaluationOptions"
local EvaluationReport = require "EvaluationReport"
local EvaluationRun = require "EvaluationRun"
local KeywordWriter = require "KeywordWriter"
local MetadataWriter = require "MetadataWriter"
local RunRecorder = require "RunRecorder"
local SuggestionWriter = require "SuggestionWriter"
local Vocabulary = require "Vocabulary"
local Settings = require "Settings"
local Log = require "Log"

local Evaluator = {}

Evaluator.DEFAULT_IN_FLIGHT = 2
-- Peers report Lightroom on Windows crashing with several HTTP requests in flight from one
-- plug-in, so there the default is one photo at a time until shown otherwise.
Evaluator.WINDOWS_IN_FLIGHT = 1

--[[
Photos in flight: the plug-in's pref when set; on Windows 1; else one more than the evaluations
the daemon runs at once (health.evaluation.concurrency, when the daemon says), so one photo always
waits ready in the daemon's queue; else 2.
]]
function Evaluator.concurrency(settings, health, platform)
  if settings and settings.inFlight then return settings.inFlight end
  if platform == "win" then return Evaluator.WINDOWS_IN_FLIGHT end
  local e = type(health) == "table" and health.evaluation or nil
  local c = type(e) == "table" and tonumber(e.concurrency) or nil
  if c and c >= 1 then return math.min(math.floor(c) + 1, Settings.MAX_IN_FLIGHT) end
  return Evaluator.DEFAULT_IN_FLIGHT
end

-- What EvaluationImages needs of Lightroom, for Junmai's own renders of the images sent.
function Evaluator.imageDeps()
  return { LrExportSession = LrExportSession, LrFileUtils = LrFileUtils, LrPathUtils = LrPathUtils, clock = LrDate.currentTime }
end

-- A photo's name for messages: its file name, and the copy name of a virtual copy.
function Evaluator.photoName(photo)
  local name = photo:getFormattedMetadata("fileName") or tostring(photo.localIdentifier)
  local copy = photo:getFormattedMetadata("copyName")
  if type(copy) == "string" and copy ~= "" then
    name = LOC("$$$/Junmai/Evaluate/CopyName=^1 (^2)", name, copy)
  end
  return name
end

function Evaluator.isVideo(photo)
  return photo:getRawMetadata("isVideo") == true
end

-- Finishes every item of the source without evaluating it (nothing to write, or the daemon
-- cannot be reached). Returns how many, and their photos (videos left out).
function Evaluator.drain(source, total)
  local n, photos = 0, {}
  while n < total do
    local item = source.next()
    if not item then break end
    n = n + 1
    if not item.skip then photos[#photos + 1] = item.photo end
    LrTasks.pcall(item.finish)
    if item.cleanup then LrTasks.pcall(item.cleanup) end
  end
  if source.close then LrTasks.pcall(source.close) end
  return n, photos
end

local function collectionNamed(catalog, name)
  for _, c in ipairs(catalog:getChildCollections() or {}) do
    if c:getName() == name then return c end
  end
end

--[[
Keeps the collection "Junmai: not evaluated" true after a run: the photos it could not evaluate
go in, the photos it evaluated come out. Made only when a photo needs it. Returns how many photos
were put in, or nil when the catalog refused (logged; the run's summary names the photos anyway).
]]
function Evaluator.updateCollection(catalog, unevaluated, evaluated)
  local name = EvaluationReport.collectionName()
  local existing = collectionNamed(catalog, name)
  if #unevaluated == 0 and (not existing or #evaluated == 0) then return 0 end
  local ok, status = LrTasks.pcall(function()
    return catalog:withWriteAccessDo(LOC "$$$/Junmai/Write/Action=Junmai AI Evaluation", function()
      local collection = existing or catalog:createCollection(name, nil, true)
      if #evaluated > 0 then collection:removePhotos(evaluated) end
      if #unevaluated > 0 then collection:addPhotos(unevaluated) end
    end, { timeout = MetadataWriter.WRITE_TIMEOUT })
  end)
  if not ok or status == "aborted" then
    Log:warn("collection " .. name .. " not updated: " .. tostring(status))
    return nil
  end
  return #unevaluated
end

function Evaluator.run(args)
  local dialogs = args.dialogs or LrDialogs
  local settings = Settings.read(LrPrefs.prefsForPlugin())
  local client = args.client or DaemonSession.client()
  local options = args.options or EvaluationOptions.read({})

  if #options.fields == 0 then
    local message = LOC "$$$/Junmai/Evaluate/NothingChosen=Nothing was chosen to write (rating, pick/reject, keywords, caption or title), so no photo was evaluated."
    Evaluator.drain(args.source, args.total)
    dialogs.message(LOC "$$$/Junmai/Evaluate/NothingChosenTitle=Junmai had nothing to do.", message, "info")
    return { total = args.total, evaluated = 0, failed = {}, notEvaluated = args.total, nothingChosen = true }
  end

  local health, err = (args.connect or DaemonSession.connect)(client)
  if not health then
    local report = { total = args.total, evaluated = 0, failed = {}, skipped = 0, stopped = err, written = {} }
    local unevaluated
    report.notEvaluated, unevaluated = Evaluator.drain(args.source, args.total)
    report.collected = Evaluator.updateCollection(args.catalog, unevaluated, {})
    EvaluationReport.show(dialogs, report)
    return report
  end

  local scope = LrProgressScope({ title = args.title, functionContext = args.functionContext })
  scope:setCancelable(true)
  local vocabulary
  if options.write.keywords and options.keywordPolicy ~= "free" then
    vocabulary = Vocabulary.read(args.catalog, KeywordWriter.parentName())
  end
  local writer, recorder
  if options.suggestOnly then
    local run, when = SuggestionWriter.runStamp(args.now or os.time())
    writer = SuggestionWriter.new({ catalog = args.catalog, options = options, pcall = LrTasks.pcall, log = Log, run = run, when = when })
  else
    recorder = RunRecorder.new({ client = client, kind = "evaluate", source = args.runSource, log = Log })
    writer = MetadataWriter.new({ catalog = args.catalog, options = options, pcall = LrTasks.pcall, log = Log,
      vocabulary = vocabulary, recorder = recorder })
  end
  local entries = vocabulary and vocabulary.entries or nil
  local concurrency = Evaluator.concurrency(settings, health, WIN_ENV and "win" or nil)
  Log:info(string.format("evaluation of %d photos, %d in flight, fields %s", args.total, concurrency, table.concat(options.fields, ",")))
  local ok, report = LrTasks.pcall(EvaluationRun.run, {
    client = client, writer = writer, clock = LrDate.currentTime, sleep = LrTasks.sleep,
    startTask = LrTasks.startAsyncTask, pcall = LrTasks.pcall, progress = scope, log = Log,
  }, args.source, {
    total = args.total, concurrency = concurrency,
    request = function(path, item) return EvaluationOptions.requestBody(options, path, item.photoId, entries) end,
  })
  scope:done()
  if not ok then error(report, 0) end
  -- Photos left out before the run (videos in a selection) count as skipped too.
  report.skipped = (report.skipped or 0) + (args.skipped or 0)
  report.unrecorded = recorder and recorder.failed or 0
  -- The report speaks of suggestions kept, not of values written, whenever the photos' own fields were left alone.
  report.suggestOnly = options.suggestOnly == true
  for _, f in ipairs(report.failed) do Log:warn("not evaluated: " .. tostring(f.name) .. ": " .. tostring(f.message)) end
  if report.stopped then Log:warn("evaluation stopped: " .. tostring(report.stopped.message)) end
  report.collected = Evaluator.updateCollection(args.catalog, report.unevaluatedPhotos, report.evaluatedPhotos)
  EvaluationReport.show(dialogs, report)
  return report
end

return Evaluator
