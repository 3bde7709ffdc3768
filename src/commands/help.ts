import { readFileSync } from 'node:fs';
import { CRM_HELP } from './crm.ts';

/** The `leak` usage text and each command's help. */

/** The version in package.json (beside src/ and dist/ alike, so this path holds in both). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

export const USAGE = `leak — Revenue Leak SRE command line

Usage:
  leak migrate                        apply pending database migrations
  leak import <file.csv> [--dry-run]  import a CSV, upserting by id: funnel records (original format), or
                                      RevOps deals, customers, mrr or spend (kind read from the header)
  leak imports [--limit N] [--json]   list the import runs with their state (running, succeeded, failed …)
  leak generate --out <dir>           write a seeded year of RevOps CSVs (deals, customers, mrr, spend)
  leak scan [--as-of <ISO>] [--json]  scan every record for revenue leaks and record the findings
  leak audit verify [--json]          check the audit log's hash chain (exit 1 when broken)
  leak fix preview <issue_id>         plan the fix for one open issue and print its diff (writes nothing)
  leak fix preview --bulk <TYPE>      plan the bulk fix for every open issue of a type
  leak tokens create <name>           create an ingest token (shown once) for the telemetry endpoints
  leak tokens list | revoke <id|prefix>  list ingest tokens (never the token) or revoke one
  leak sla apply -f <slos.yaml>       define or revise service SLAs from OpenSLO (openslo/v1) YAML
  leak sla list [--json]              list the SLA definitions in force
  leak sla snapshot [--day <date>]    take the Gold daily SLA snapshots now (missing days, or one day)
  leak sla evaluate [--json]          run the burn-rate evaluation now (pages, tickets, resolves)
  leak sla report [--week 2026-W47]   the weekly SLA report (--service s, --json, --chart file.png)
  leak janitor [--dry-run] [--json]   apply telemetry retention (Bronze, Silver); --dry-run reports only
  leak revenue [--day <date>]        a day's net revenue per currency and source, sources, incidents
  leak revenue import <orders.csv>    backfill the ledger from a Shopify order export or a generic CSV
  leak revops <view> [filters]        RevOps pipeline, revenue, marketing or insights (--json, --chart dir)
  leak revops watch [--json]          stuck deals now against REVOPS_LEAK_BUDGET_USD: the pipeline incident
  leak digest [--week 2026-W48]       the weekly RevOps digest (--json, --chart dir)
  leak webhooks failed [--source s]   list the webhook deliveries that did not parse (never their bodies)
  leak webhooks replay <id>           parse a failed delivery again (after a mapping fix)
  leak crm sync [--full]              sync the funnel from the CRM (HubSpot) now: changes, or everything
  leak crm status [--json]            the CRM sync: cursors, records, spend of the API allowance, last error
  leak demo                           load the built-in sample funnel, scan it, print the War Room
  leak serve                          start the Slack bot and HTTP server (same as npm start)
  leak <command> --help               help for one command
  leak --version                      print the version (also -v)

Database: DATABASE_URL (postgres://…) or, when unset, embedded PGlite in PGLITE_DIR (./.data/pglite).
Exit codes: 0 ok · 1 error or broken audit chain · 2 import finished with rejected rows (listed) · 64 usage error.`;

export const HELP: Record<string, string> = {
  migrate:
    'leak migrate\n\nApplies pending SQL migrations from migrations/ in order (also done at every start).',
  import: `leak import <file.csv> [--kind funnel|deals|customers|mrr|spend] [--dry-run]

Imports a CSV of one of these kinds, told apart by its header (names trimmed, any case):
  funnel     id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,
             next_step,value_usd,notes  (in this order)
  deals      deal_id,account,segment,owner,stage,amount,created_at,expected_close,last_stage_change,
             probability,source_channel
  customers  customer_id,account,segment,plan,start_date,mrr,churn_date,churn_reason
  mrr        customer_id,month,mrr  (import the customers first: a row of an unknown customer is rejected)
  spend      date,channel,campaign,segment,geo,spend,impressions,clicks,leads,mqls,sqls,opportunities,won
The RevOps kinds take their columns in any order (README "RevOps CSVs" has each column's rules).
Good rows are upserted by their key (id; deal_id; customer_id; customer_id + month; date + channel +
campaign + segment + geo); each bad row is listed with its line number and reason, and a key repeated in
the file is rejected.
  --kind <kind>  the file must be this kind (its header is checked against it)
  --dry-run      validate only; nothing is written (the run is still recorded)
A funnel import is applied all at once: a scan sees the records as they were before it or as they are
after it, never half of each, and an import that fails or is killed changes no record. One funnel import
runs at a time; another one started meanwhile is refused (exit 1), naming the run in progress.
Exit 0 when every row imported, 2 when some rows were rejected or the header fits no kind (the missing
and unexpected columns are named), 1 on a fatal error.`,
  imports: `leak imports [--limit N] [--json]

Lists the newest import runs (20 by default, at most 1000), funnel and RevOps alike: run id, state
(running, succeeded, partial = some rows rejected, failed), when it started, how long it took, rows read,
imported and rejected, the file, who ran it, and why it failed. A run whose process died (killed, crashed,
cut off from the database) is marked failed, with that reason, by the next \`leak\` command or server
start; a run shown as running is running now.
  --limit N  how many runs
  --json     the runs as JSON (the error text whole)`,
  generate: `leak generate --out <dir> [--seed N] [--deals N] [--customers N] [--end YYYY-MM-DD]

Writes a realistic, seeded year of RevOps data as deals.csv, customers.csv, mrr.csv and spend.csv in
<dir>, for demos, tests and benchmarks; \`leak import\` reads each with no rejected row (customers.csv
before mrr.csv). The same seed and sizes give the same files. Needs no database.
  --seed N          any whole number (default 1)
  --deals N         deals created over the year (default 5000)
  --customers N     customers, each with its monthly MRR history (default 1000)
  --end YYYY-MM-DD  the last day of data (default yesterday, UTC)
The assumptions (deal sizes, stage odds, churn, channels and their funnels) are listed in README
"RevOps CSVs". Progress goes to stderr; exit 0 when the files are written, 1 when they cannot be.`,
  scan: `leak scan [--as-of <ISO time>] [--json]

Evaluates every record against the leak rules, prices each issue, and records the scan and its findings.
  --as-of <ISO>  evaluate at that instant instead of now (reproducible scans, backfills)
  --json         print the stable JSON document instead of the table`,
  fix: `leak fix preview <issue_id> [--pack <file.json>] [--json]
leak fix preview --bulk <ISSUE_TYPE> [--pack <file.json>] [--json]

Plans the default fix pack for an open issue (e.g. O-2005_UNASSIGNED_OWNER, from \`leak scan --json\`) or,
with --bulk, for every open issue of a type (UNASSIGNED_OWNER, STALE_OPP, …), and prints the exact diff
per record, the side effects (tasks, Slack messages, email drafts) and the blast radius. A dry run:
nothing is written. --pack plans your own fix pack (JSON, \`version: 1\`, see README "Fix packs") for the
same issues instead of the default one; it is validated first and every problem is listed. Approving and
applying happen in Slack, where approvers are configured.`,
  audit: `leak audit verify [--json]

Walks the append-only audit log in order, recomputing each row's hash and checking it links to the row
before it. Prints "audit log ok: N rows, chain intact", or names the first broken row on stderr: a
changed row fails its own hash; a removed row breaks the link of the row after it.
  --json   print the verdict as JSON on stdout: {"rows":N,"ok":true|false,"firstBad":{"id","reason"}}
Exit 0 when the chain is intact, 1 when it is broken.`,
  tokens: `leak tokens create <name>
leak tokens list [--json]
leak tokens revoke <id|prefix>

Ingest tokens authenticate telemetry senders (Authorization: Bearer <token>). \`create\` prints the new
token once, on stdout alone (TOKEN=$(leak tokens create checkout) works); only its SHA-256 is stored, so
it cannot be shown again: create another and revoke the old one instead. \`list\` shows id, name, prefix
(the token's first 8 characters), created and revoked times, never a token or its hash. \`revoke\` takes
the id or the prefix from the list; a revoked token is refused from then on.
Exit 0 on success, 1 when there is no such active token (or the prefix is ambiguous).`,
  sla: `leak sla apply -f <slos.yaml>
leak sla list [--json]
leak sla snapshot [--day YYYY-MM-DD] [--json]
leak sla evaluate [--json]
leak sla report [--week YYYY-Www] [--service <service>] [--json] [--chart <file.png>]

\`apply\` reads OpenSLO \`openslo/v1\` YAML (several documents separated by ---): Service, SLI, SLO,
DataSource, AlertPolicy, AlertCondition and AlertNotificationTarget, standalone (referred to by name, also
from an earlier apply) or inline. An SLI is a ratioMetric (good/bad/total over this bot's telemetry, each
with an optional attribute filter such as http.response.status_code: 5xx) or a thresholdMetric; latency
thresholds carry their unit (latencyBelow: 0.3s, latencyBelowMs: 300). Windows are rolling (30d) or
calendar (1w, 1M, 1Q). Burn-rate AlertConditions become the SLA's page and ticket rules; notification
targets name Slack channels (slack:C…). A Sloth file is answered with what to convert. Every document is
validated first and every problem is listed (file:line: document: field: problem); nothing is written
unless all are valid (README: "Writing an SLA in OpenSLO").
Each SLO then becomes an SLA definition, versioned and never edited in place: a new SLO opens version 1,
an unchanged one is left alone, a changed one closes the active version now and opens the next one.
Every change is recorded in the audit log (sla.defined, sla.revised).
  -f, --file <file>   the YAML file to apply
\`list\` shows the versions in force: id, version, service, metric, indicator, target, window, active from,
and the latest burn-rate evaluation (action, burn of the rule behind it, when).
  --json   print them as JSON
\`evaluate\` runs the burn-rate evaluation the server runs every minute (multiwindow, multi-burn-rate
rules 1h/5m and 6h/30m page, 24h/2h and 3d/6h ticket, at least SLA_MIN_EVENTS events per window): a page
opens or updates the SLA's incident, a ticket goes to the alerts channel once per episode, an incident
resolves after SLA_RESET_MINUTES without a page rule firing. Slack messages wait in the outbox for the server.
  --json   print the outcome per SLA as JSON
\`snapshot\` runs the SLA engine (normally nightly at 00:00 UTC): one Gold snapshot per definition and
complete UTC day, written once (a rerun changes nothing) and audited (sla.snapshot_created). Without
--day it backfills every missing day up to yesterday (at most 90 days back).
  --day <YYYY-MM-DD>   that day only, for the definitions in force when it ended
  --json               print the results as JSON
\`report\` prints the SLA report of an ISO week (UTC, Monday to Sunday; default: the last complete week),
as posted to Slack every Monday: per SLA the attainment against its target (met or breached), the error
budget left for the week, the worst daily burn, breaches, incidents, downtime minutes, p99 against the
week before and the daily attainment; then the revenue SLOs of the week's last scan with dollars at risk,
and dollars recovered by fix packs that week.
  --week <YYYY-Www>    that week (e.g. 2026-W47) instead of the last complete one
  --service <service>  only that service's SLAs
  --json               print the report as JSON
  --chart <file.png>   also write the daily attainment chart (PNG) to the file
Exit 0 on success, 1 when the file cannot be read, is not valid YAML or is not a valid SLO set.`,
  janitor: `leak janitor [--dry-run] [--json]

Applies telemetry retention (DOMAIN.md §6): creates today's and tomorrow's Bronze partitions, rolls Silver
minutes up into hours, drops Bronze day partitions past BRONZE_RETENTION_DAYS (incident evidence is copied
into bronze_evidence first), purges minute rollups past 30 days (only those whose hour exists) and hour
rollups past 90 days, purges the cumulative state of metric series idle longer than
BRONZE_RETENTION_DAYS (one that comes back counts from its return), and lists the metrics over 10,000 tag
combinations. Gold snapshots are never touched.
  --dry-run   report what would be created, dropped and purged; change nothing
  --json      print the report as JSON`,
  revenue: `leak revenue [--day YYYY-MM-DD] [--json]
leak revenue import <orders.csv> [--source <source>]

\`leak revenue\` shows one revenue day of the commerce ledger (today by default; days are cut in
REVENUE_TIMEZONE): per currency the day's net revenue (DNR: cleared sales − refunds − lost disputes), the
day before, the slope ((DNR − DNR 7 days earlier) / 7, ↑ or ↓) and the last 7 days as a sparkline; the
total in REPORTING_CURRENCY converted at the FX_RATES configured (currencies without a rate are named and
left out); per source its net, sales, refunds and disputes; every source's last delivery (age, status),
deliveries failed in the last 24 h and last ledger event; and the open revenue incidents.
  --day <YYYY-MM-DD>   that day instead of today (not one in the future)
  --json               print the view as JSON (money in minor units, times in epoch ms, keys sorted)
Example: leak revenue --day 2024-11-10

\`leak revenue import\` backfills the ledger from a store's order export, streaming the file:
  - Shopify's order export (Orders → Export → CSV): Name, Id, Financial Status, Currency, Total, Created at
    are required; Email, Paid at, Cancelled at, Refunded Amount, Lineitem quantity and Source are read when
    present. An order's line-item rows (same Name, empty Total) count as its items.
  - a generic CSV with the header id,occurred_at,amount,currency,status[,email][,stream], one sale per row;
    status is paid, cleared, pending or voided; occurred_at an ISO-8601 time with a zone.
Each order is a sale: CLEARED at Paid at when paid, VOIDED when cancelled unpaid (or voided), PENDING
otherwise; a Refunded Amount above zero adds a refund <Id>:refund-export at Cancelled at (or Paid at).
Emails are stored only as their keyed hash. Entries are idempotent on the order id, shared with the
store's webhooks: importing the same file again writes nothing new. Each bad row is reported with its line
number and reason (on stderr as found, and in the summary) while the good rows import.
  --source <source>    the ledger source (default shopify for a Shopify export; required for the
                       generic CSV): the name the store's webhooks arrive as. The revenue watch
                       judges silence per source, so a source whose only entries are old backfilled
                       ones reads as silent (NO_SIGNAL) until its webhooks arrive
Example: leak revenue import orders_export_1.csv
Exit 0 when every row imported, 2 when some rows were rejected, 1 on a fatal error (no such file, an
unknown header).`,
  revops: `leak revops pipeline|revenue|marketing|insights [--period P | --from D [--to D]]
           [--segment SMB|MM|ENT] [--owner <name>] [--channel <name>] [--json] [--chart <dir>]

The RevOps views of \`/revops\` in the terminal, from the imported deals, customers, MRR history and
marketing spend (\`leak import\`). Each figure comes with its change against the period of the same
length just before. Calendar periods and dates are cut in DIGEST_TIMEZONE (default UTC).
  pipeline    open and weighted pipeline, win rate, average deal, velocity; stages (deals, amount,
              weighted, average days in stage, conversion), owners, stuck deals longest first
              (REVOPS_STUCK_DAYS, REVOPS_STUCK_MIN_USD)
  revenue     MRR, ARR, churn, NRR, GRR; MRR movement per month; churn reasons; cohort retention
  marketing   spend, leads, won, CAC, ROI; per channel the funnel leads → MQL → SQL → opportunity →
              won, CAC and ROI; CAC payback per segment against its benchmark
  insights    what stands out, with its confidence, its numbers and the command showing its view
  --period P         30d (default), 7d, 90d, <N>d; week, month, quarter (so far); last-week,
                     last-month, last-quarter; or FROM..TO (dates, both included)
  --from D --to D    the dates (YYYY-MM-DD), both included; --to defaults to today
  --segment S        SMB, MM or ENT        --owner <name>, --channel <name>   one owner, one channel
  --json             print the RevopsReport as JSON (money in cents, times in epoch ms)
  --chart <dir>      also write the view's chart (PNG) into the directory
Example: leak revops pipeline --period last-quarter --segment ENT

leak revops watch [--json]
Runs the daily pipeline watch now (job revops-watch, REVOPS_WATCH_CRON, default 08:00 UTC): the deals
stuck as of now against REVOPS_LEAK_BUDGET_USD. Worth more than the budget, they open (or update) the
stuck-deals incident (its own channel and War Room); back within it, or with no budget set, it resolves.
An insight over the budget names that incident.`,
  digest: `leak digest [--week 2026-W48 | --week <monday YYYY-MM-DD>] [--json] [--chart <dir>]

Prints the weekly RevOps digest as posted to DIGEST_CHANNEL every Monday (DIGEST_CRON, default 09:00 in
DIGEST_TIMEZONE): the ISO week Monday to Sunday in that zone (default: the week just ended), its
pipeline, revenue and marketing figures with their change against the week before, the stuck deals, the
MRR movement, the channels and the insights.
  --week W      that week, as 2026-W48 or its Monday 2026-11-23 (a week in progress is read so far)
  --json        print the week's RevopsReport as JSON
  --chart <dir> also write the three charts (pipeline by stage, MRR movement, spend vs won revenue by
                channel) as PNG files into the directory`,
  webhooks: `leak webhooks failed [--source <source>] [--limit N] [--json]
leak webhooks replay <id>

Webhook deliveries are stored as received, then parsed; one that cannot be parsed is kept as failed with
its reason. \`failed\` lists them, newest first: id, source, topic, when received, attempts and the
reason (never the body).
  --source <source>   only that source's deliveries (shopify, stripe, or a generic source name)
  --limit <N>         at most N deliveries (default 50, at most 1000)
  --json              print them as JSON
\`replay\` parses one failed (or ignored) delivery again from its stored body, typically after a mapping
fix, and prints what it became: parsed (its ledger changes written, idempotently), ignored (and why) or
failed again (and why).
Example: leak webhooks failed --source shopify, then leak webhooks replay 42
Exit 0 when the replayed delivery parsed or was ignored; 1 when it failed again, or when there is no such
delivery or it is not a failed one.`,
  demo: `leak demo

Loads the built-in Northwind sample funnel, scans it as of its scenario time, and plays the incident, the
fix story and an SLA burn offline, printing what Slack would show. Needs no Slack, no server and no
PII_HASH_KEY. Every run starts from a fresh embedded database in DEMO_DIR (./.data/demo), which it wipes
first; your DATABASE_URL and PGLITE_DIR are never touched, and a DEMO_DIR the demo did not make is refused.`,
  crm: CRM_HELP,
  serve:
    'leak serve\n\nStarts the Slack bot (HTTP on PORT, or Socket Mode with SLACK_APP_TOKEN) with /healthz and /readyz.',
};
