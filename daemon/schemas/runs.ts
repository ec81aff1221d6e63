import { z } from 'zod';

/**
 * AI runs (issue 16): every write of AI values to a photo's real Lightroom fields, recorded per
 * photo and field with the value before and after, so that the run can be undone. The plugin
 * writes the catalog and decides what it could restore; the daemon keeps the record.
 */
export const RUN_FIELDS = ['rating', 'pick', 'title', 'caption', 'keywords'] as const;
export type RunField = (typeof RUN_FIELDS)[number];

export const MAX_CHANGES_PER_REQUEST = 1000;
/** A run larger than this is refused more changes: a catalog-wide apply starts a new run every 100,000 changes. */
export const MAX_CHANGES_PER_RUN = 100_000;
const MAX_KEYWORDS_PER_PHOTO = 2000;

/** How long runs are kept: the newest RUNS_KEPT, none older than RUNS_KEPT_DAYS (pruned as runs are recorded and at start). */
export const RUNS_KEPT = 200;
export const RUNS_KEPT_DAYS = 90;

export const RunKind = z.enum(['apply', 'evaluate']);
export const RunStatus = z.enum(['open', 'undone', 'partly_undone']);
export const UndoOutcome = z.enum(['restored', 'left']);
/** Why the plugin left a change alone; `not_reported` is the daemon's own, for a change the undo did not name. */
export const UndoReason = z.enum(['edited_since', 'photo_missing', 'other']);

const photoId = z.string().min(1).max(512);
/** A keyword as the plugin identifies it: its path from the top of the keyword tree, "Parent|Child". */
const keywordPath = z.string().min(1).max(2000);
const keywordList = z.array(keywordPath).max(MAX_KEYWORDS_PER_PHOTO);
const text = z.string().max(10_000).nullable();

/** The value of each field as Lightroom holds it; the same type before and after. */
export const FIELD_VALUES = {
  /** Stars; null (or 0) is unrated. */
  rating: z.int().min(0).max(5).nullable(),
  /** Lightroom's pickStatus: -1 rejected, 0 unflagged, 1 picked. */
  pick: z.int().min(-1).max(1),
  title: text,
  caption: text,
  keywords: keywordList,
} as const;

const change = <F extends RunField>(field: F) =>
  z.object({
    photo_id: photoId,
    field: z.literal(field),
    before: FIELD_VALUES[field],
    after: FIELD_VALUES[field],
    /** Keywords the run put on the photo (paths); they are what undo removes. */
    keywords_added: keywordList.optional(),
    /** Keywords the run created in the catalog; undo deletes those no photo uses any more. */
    keywords_created: keywordList.optional(),
  });

export const RunChangeInput = z
  .discriminatedUnion('field', [change('rating'), change('pick'), change('title'), change('caption'), change('keywords')], {
    error: `must name a field: one of ${RUN_FIELDS.join(', ')}`,
  })
  .refine((c) => c.field === 'keywords' || (!c.keywords_added?.length && !c.keywords_created?.length), {
    message: 'only a keywords change can add or create keywords',
    path: ['keywords_added'],
  });
export type RunChangeInput = z.infer<typeof RunChangeInput>;

const onePerPhotoField = <T extends { photo_id: string; field: string }>(items: T[]) =>
  new Set(items.map((c) => `${c.field}\n${c.photo_id}`)).size === items.length;

export const CreateRunRequest = z.object({
  kind: RunKind,
  /** The model whose values were written; null (or absent) when unknown. */
  model: z.string().min(1).max(350).nullable().optional(),
  /** Where in the plugin the run came from, e.g. "export", "review". */
  source: z.string().min(1).max(80).nullable().optional(),
});
export type CreateRunRequest = z.infer<typeof CreateRunRequest>;

export const AppendChangesRequest = z.object({
  changes: z
    .array(RunChangeInput)
    .min(1)
    .max(MAX_CHANGES_PER_REQUEST)
    .refine(onePerPhotoField, 'name each photo and field once per request'),
});
export type AppendChangesRequest = z.infer<typeof AppendChangesRequest>;

export const UndoOutcomeInput = z
  .object({
    photo_id: photoId,
    field: z.enum(RUN_FIELDS),
    outcome: UndoOutcome,
    reason: UndoReason.nullable().optional(),
  })
  .refine((o) => o.outcome === 'left' || o.reason === undefined || o.reason === null, {
    message: 'a reason is only given for a change that was left',
    path: ['reason'],
  });

export const UndoRunRequest = z.object({
  outcomes: z.array(UndoOutcomeInput).max(MAX_CHANGES_PER_RUN).refine(onePerPhotoField, 'name each photo and field once'),
});
export type UndoRunRequest = z.infer<typeof UndoRunRequest>;

export const RunView = z.object({
  id: z.string(),
  kind: RunKind,
  model: z.string().nullable(),
  source: z.string().nullable(),
  status: RunStatus,
  /** Distinct photos with at least one change. */
  photo_count: z.int(),
  change_count: z.int(),
  /** Fields the run changed, in the order of RUN_FIELDS. */
  fields: z.array(z.enum(RUN_FIELDS)),
  created_at: z.string(),
  undone_at: z.string().nullable(),
  /** After an undo: changes restored, and changes left (edited since, photo gone, or not named by the undo). */
  undo: z.object({ restored: z.int(), left: z.int() }).nullable(),
});
export type RunView = z.infer<typeof RunView>;

/** Any field's value: as recorded, of the type its field takes. */
const fieldValue = z.union([FIELD_VALUES.rating, FIELD_VALUES.pick, FIELD_VALUES.caption, FIELD_VALUES.keywords]);

export const RunChangeView = z.object({
  photo_id: z.string(),
  field: z.enum(RUN_FIELDS),
  before: fieldValue,
  after: fieldValue,
  keywords_added: z.array(z.string()),
  keywords_created: z.array(z.string()),
  undo: UndoOutcome.nullable(),
  undo_reason: z.string().nullable(),
});
export type RunChangeView = z.infer<typeof RunChangeView>;

export const RunIdParams = z.object({ id: z.string().min(1).max(64) });
export const RunListQuery = z.object({ limit: z.coerce.number().int().min(1).max(RUNS_KEPT).default(20) });

export const RunResponse = z.object({ success: z.literal(true), run: RunView });
export const RunListResponse = z.object({ success: z.literal(true), runs: z.array(RunView), count: z.int() });
export const RunDetailResponse = z.object({ success: z.literal(true), run: RunView, changes: z.array(RunChangeView) });
