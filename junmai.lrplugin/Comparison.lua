--[[
What "Compare AI Models on Selected Photos…" does, without any UI: read the photographer's own
judgement of each selected photo, make the body of POST /api/compare, and follow the run until it
ends (polling: the plug-in has no WebSocket), cancelling it when the progress bar is cancelled.

What is sent for each photo:
  * rating: Lightroom's stars, 1-5. Lightroom answers nil (or 0) for an unrated photo; it is then
    left out, so it takes no part in rating agreement.
  * pick: "pick" / "reject" / "none" from pickStatus (1 / -1 / 0). When no selected photo is
    flagged at all, the photographer did not flag this set, so pick is left out for every photo
    rather than claiming each one was judged "neither".
  * keywords: the flat names of the keywords applied to the photo, as a model answers them
    ("Harbor", not "Places/Europe/Harbor"); the daemon compares them after lower-casing and
    reducing plurals. Keywords under "Junmai AI" are left out: they are a model's own words from
    an earlier evaluation, not the photographer's.
  * image_path: the daemon runs on this computer (it listens on 127.0.0.1 only), so a path to
    Junmai's small render is enough. Base64 would make every body a third larger than the images
    themselves and hold them all in Lua strings at once; the renders are kept until the run ends.
]]
local Json = require "Json"

local Comparison = {}

-- The daemon's limits (daemon/schemas/compare.ts).
Comparison.MAX_PHOTOS = 500
Comparison.MAX_KEYWORDS = 200
Comparison.MAX_KEYWORD_LENGTH = 80
-- The long edge of the image each model sees, as for Evaluate Selected Photos.
Comparison.LONG_EDGE = 1024
-- Fewer photos with stars than this cannot tell models apart (the daemon's sample note says so too).
Comparison.MIN_RATED = 10
Comparison.POLL_SECONDS = 1
-- Consecutive failed polls before giving up. More patient than a download's watcher: giving up
-- deletes the renders, and a run the daemon's restart interrupted can only go on while they exist.
Comparison.MAX_FAILURES = 15
-- Times an interrupted run (the daemon restarted) is resumed while the renders are still here.
Comparison.MAX_RESUMES = 2

local ENDED = { completed = true, failed = true, cancelled = true, interrupted = true }

function Comparison.isEnded(status)
  return ENDED[status] == true
end

-- Lightroom's stars as the daemon takes them: 1-5, or nil for an unrated photo.
function Comparison.starsOf(rating)
  local n = tonumber(rating)
  if n and n >= 1 and n <= 5 and n == math.floor(n) then return n end
  return nil
end

function Comparison.pickOf(pickStatus)
  local n = tonumber(pickStatus) or 0
  if n == 1 then return "pick" end
  if n == -1 then return "reject" end
  return "none"
end

local function trim(s)
  return (string.gsub(s, "^%s*(.-)%s*$", "%1"))
end

-- Whether `keyword` sits directly under the top-level keyword named `parentName`.
local function under(keyword, parentName)
  local parent = keyword:getParent()
  return parent ~= nil and parent:getParent() == nil and parent:getName() == parentName
end

-- The flat names of a photo's keywords (LrKeyword objects), once each whatever the case.
function Comparison.keywordNames(keywords, aiParentName)
  local out, seen = {}, {}
  for _, keyword in ipairs(keywords or {}) do
    local name = trim(tostring(keyword:getName() or ""))
    local key = string.lower(name)
    local own = not under(keyword, aiParentName) and not (keyword:getParent() == nil and name == aiParentName)
    if own and name ~= "" and string.len(name) <= Comparison.MAX_KEYWORD_LENGTH and not seen[key]
      and #out < Comparison.MAX_KEYWORDS then
      seen[key] = true
      out[#out + 1] = name
    end
  end
  return out
end

--[[
The photographer's judgement of each photo, read in one read-access gate so that no write comes
between two photos. Videos are left out (counted). Returns entries {photo, photoId, rating, pick,
keywords} in the selection's order, and the number of videos.
]]
function Comparison.readPhotos(catalog, photos, aiParentName)
  local entries, videos = {}, 0
  catalog:withReadAccessDo(function()
    for _, photo in ipairs(photos) do
      if photo:getRawMetadata("isVideo") == true then
        videos = videos + 1
      else
        entries[#entries + 1] = {
          photo = photo,
          photoId = tostring(photo.localIdentifier),
          rating = Comparison.starsOf(photo:getRawMetadata("rating")),
          pickStatus = tonumber(photo:getRawMetadata("pickStatus")) or 0,
          keywords = Comparison.keywordNames(photo:getRawMetadata("keywords"), aiParentName),
        }
      end
    end
  end)
  local flagged = false
  for _, e in ipairs(entries) do
    if e.pickStatus ~= 0 then flagged = true end
  end
  for _, e in ipairs(entries) do
    e.pick = flagged and Comparison.pickOf(e.pickStatus) or nil
    e.pickStatus = nil
  end
  return entries, videos
end

function Comparison.ratedCount(entries)
  local n = 0
  for _, e in ipairs(entries) do
    if e.rating then n = n + 1 end
  end
  return n
end

--[[
The body of POST /api/compare. paths[i] is the render of entries[i]; an entry without one (its
render failed) is left out. models: names, or nil for the daemon's choice (every installed local
vision model).
]]
function Comparison.requestBody(entries, paths, models)
  local photos = Json.array({})
  for i, e in ipairs(entries) do
    if paths[i] then
      photos[#photos + 1] = {
        photo_id = e.photoId,
        image_path = paths[i],
        rating = e.rating,
        pick = e.pick,
        keywords = (#e.keywords > 0) and Json.array(e.keywords) or nil,
      }
    end
  end
  local body = { photos = photos }
  if models and #models > 0 then body.models = Json.array(models) end
  return body
end

-- 0..1 for the progress bar.
function Comparison.portion(run)
  local p = type(run) == "table" and run.progress or nil
  local done, total = p and tonumber(p.done), p and tonumber(p.total)
  if done and total and total > 0 then return math.max(0, math.min(1, done / total)) end
  return 0
end

function Comparison.caption(run)
  if run.status == "queued" then
    return LOC "$$$/Junmai/Compare/Queued=Waiting for the daemon to start the comparison^U+2026"
  end
  local p = run.progress or {}
  local counted = LOC("$$$/Junmai/Compare/Counted=^1 of ^2 photo evaluations", tostring(p.done or 0), tostring(p.total or 0))
  if run.current_model then
    return LOC("$$$/Junmai/Compare/Running=^1: ^2", run.current_model, counted)
  end
  return counted
end

--[[
Follows the run until it ends. deps: client, scope (progress: setPortionComplete, setCaption,
isCanceled), sleep(seconds), pollSeconds (optional).
Returns {outcome, run, answer, error}: outcome is the run's final status ("completed", "failed",
"cancelled", "interrupted"), "cancelled_here" when the photographer cancelled (the run is
cancelled in the daemon), or "lost" after MAX_FAILURES failed polls in a row. answer is the last
GET /api/compare/<id> (run, results, summary, sample_note); error the daemon's, when one stopped it.
]]
function Comparison.watch(deps, run)
  local answer, failures, resumes = nil, 0, 0
  while true do
    deps.scope:setPortionComplete(Comparison.portion(run), 1)
    deps.scope:setCaption(Comparison.caption(run))
    if run.status == "interrupted" and resumes < Comparison.MAX_RESUMES then
      -- The daemon stopped mid-run; the renders are still here, so the photos left can go on.
      resumes = resumes + 1
      local resumed = deps.client:resumeComparison(run.id)
      if resumed and resumed.run then run = resumed.run end
    end
    if Comparison.isEnded(run.status) and answer then
      return { outcome = run.status, run = run, answer = answer }
    end
    deps.sleep(deps.pollSeconds or Comparison.POLL_SECONDS)
    if deps.scope:isCanceled() then
      local cancelled, err = deps.client:cancelComparison(run.id)
      return { outcome = "cancelled_here", run = cancelled and cancelled.run or run, error = err }
    end
    local fresh, err = deps.client:comparison(run.id)
    if fresh and type(fresh.run) == "table" then
      answer, run, failures = fresh, fresh.run, 0
    else
      failures = failures + 1
      if failures >= Comparison.MAX_FAILURES then
        return { outcome = "lost", run = run, answer = answer, error = err }
      end
    end
  end
end

--[[
The model to offer: the one ranked first, when it evaluated photos. nil when no model could be
ranked (every one failed or was skipped).
]]
function Comparison.best(answer)
  for _, r in ipairs(type(answer) == "table" and answer.results or {}) do
    if r.rank == 1 and (tonumber(r.photos_done) or 0) > 0 then return r end
  end
  return nil
end

return Comparison
