-- The hand-written lower bound of the report counters of one agency's subtree for a period:
-- one statement, one pass over each table's rows of the subtree, no per-agency grouping and
-- no roll-up. $1 = the subtree's path pattern ('/1/6/%'), $2 = period start, $3 = period end.
-- It computes the same 48 figures as services.totals.live_totals (bench.jobs checks that).
WITH c AS (
  SELECT i.id, ck.report_table AS t, i.origin, i.onsite_ended_on, i.concluded_on,
         i.closed_on, i.cancelled_on, COALESCE(i.announced_on, i.decision_date) AS s,
         (i.concluded_on BETWEEN $2 AND $3) AS concl
  FROM inspection i
  JOIN agency a ON a.id = i.agency
  JOIN case_kind ck ON ck.code = i.kind
  WHERE a.path LIKE $1 AND i.deleted_at IS NULL AND ck.report_table IN (1, 2)
),
m AS (
  SELECT m.inspection,
    COUNT(*) AS n,
    BOOL_OR(m.completed_on IS NULL OR m.completed_on >= $2) AS open_at_start,
    BOOL_OR(m.completed_on IS NULL OR m.completed_on > $3) AS open_at_end,
    SUM(m.amount_vnd) FILTER (WHERE m.type = 'recover_money') AS recover_vnd,
    SUM(ROUND(m.land_m2 * 100)) FILTER (WHERE m.type = 'recover_land') AS recover_cm2,
    SUM(m.amount_vnd) FILTER (WHERE m.type = 'other_financial') AS other_vnd,
    SUM(m.collectives) FILTER (WHERE m.type = 'discipline') AS disc_coll,
    SUM(m.individuals) FILTER (WHERE m.type = 'discipline') AS disc_ind,
    SUM(m.cases) FILTER (WHERE m.type = 'criminal_referral') AS ref_cases,
    SUM(m.persons) FILTER (WHERE m.type = 'criminal_referral') AS ref_persons,
    SUM(CASE WHEN m.persons > 0 THEN m.persons ELSE m.cases END)
      FILTER (WHERE m.type = 'criminal_referral') AS ref_required,
    COUNT(*) FILTER (WHERE m.type = 'admin_fine' AND m.decision_date BETWEEN $2 AND $3)
      AS sanctions,
    SUM(m.amount_vnd) FILTER (WHERE m.type = 'admin_fine' AND m.decision_date BETWEEN $2 AND $3)
      AS fines_vnd,
    SUM(m.amount_vnd)
      FILTER (WHERE m.type = 'confiscation' AND m.decision_date BETWEEN $2 AND $3)
      AS confiscated_vnd
  FROM measure m JOIN c ON c.id = m.inspection
  WHERE m.deleted_at IS NULL
  GROUP BY m.inspection
),
e AS (
  SELECT m.inspection,
    SUM(e.amount_vnd) FILTER (WHERE m.type = 'recover_money' AND e.executed_on >= $2)
      AS rec_vnd,
    SUM(e.amount_vnd) FILTER (WHERE m.type = 'recover_money') AS rec_total_vnd,
    SUM(ROUND(e.land_m2 * 100)) FILTER (WHERE m.type = 'recover_land' AND e.executed_on >= $2)
      AS rec_cm2,
    SUM(ROUND(e.land_m2 * 100)) FILTER (WHERE m.type = 'recover_land') AS rec_total_cm2,
    SUM(e.amount_vnd) FILTER (WHERE m.type = 'admin_fine' AND e.executed_on >= $2)
      AS fines_collected,
    SUM(e.quantity) FILTER (WHERE m.type = 'discipline' AND e.executed_on >= $2) AS disc_done,
    SUM(e.quantity) FILTER (WHERE m.type = 'criminal_referral' AND e.executed_on >= $2)
      AS ref_made
  FROM execution e JOIN measure m ON m.id = e.measure JOIN c ON c.id = m.inspection
  WHERE m.deleted_at IS NULL AND e.executed_on <= $3
  GROUP BY m.inspection
),
f AS (
  SELECT f.inspection,
    COUNT(DISTINCT COALESCE(f.subject, 0)) AS units,
    COUNT(DISTINCT COALESCE(f.subject, 0)) FILTER (WHERE sj.kind IS DISTINCT FROM 'individual')
      AS orgs,
    COUNT(DISTINCT f.subject) FILTER (WHERE sj.kind = 'individual') AS people,
    SUM(f.amount_vnd) AS vnd, SUM(ROUND(f.land_m2 * 100)) AS cm2
  FROM finding f JOIN c ON c.id = f.inspection AND c.concl
  LEFT JOIN subject sj ON sj.id = f.subject
  WHERE f.deleted_at IS NULL
  GROUP BY f.inspection
),
s AS (
  SELECT s.inspection, COUNT(*) AS units,
    COUNT(*) FILTER (WHERE sj.kind <> 'individual') AS orgs,
    COUNT(*) FILTER (WHERE sj.kind = 'individual') AS people
  FROM inspection_subject s JOIN c ON c.id = s.inspection AND c.concl
  JOIN subject sj ON sj.id = s.subject
  GROUP BY s.inspection
),
x AS (
  SELECT c.*, m.n, m.open_at_start, m.open_at_end, m.recover_vnd, m.recover_cm2, m.other_vnd,
    m.disc_coll, m.disc_ind, m.ref_cases, m.ref_persons, m.ref_required, m.sanctions,
    m.fines_vnd, m.confiscated_vnd, e.rec_vnd, e.rec_total_vnd, e.rec_cm2, e.rec_total_cm2,
    e.fines_collected, e.disc_done, e.ref_made, f.units AS f_units, f.orgs AS f_orgs, f.people AS f_people,
    f.vnd AS f_vnd, f.cm2 AS f_cm2, s.units AS s_units, s.orgs AS s_orgs,
    s.people AS s_people,
    (c.s BETWEEN $2 AND $3) AS started,
    (c.s < $2 AND (c.concluded_on IS NULL OR c.concluded_on >= $2)
     AND (c.closed_on IS NULL OR c.closed_on >= $2)
     AND (c.cancelled_on IS NULL OR c.cancelled_on >= $2)) AS carried,
    (c.t = 1 AND c.concluded_on <= $3 AND (c.closed_on IS NULL OR c.closed_on >= $2)
     AND (c.concluded_on >= $2 OR COALESCE(m.open_at_start, FALSE))) AS due
  FROM c LEFT JOIN m ON m.inspection = c.id LEFT JOIN e ON e.inspection = c.id
  LEFT JOIN f ON f.inspection = c.id LEFT JOIN s ON s.inspection = c.id
)
SELECT
  -- table 1
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried)) AS i_total,
  COUNT(*) FILTER (WHERE t = 1 AND carried) AS i_carried_over,
  COUNT(*) FILTER (WHERE t = 1 AND started) AS i_started,
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried) AND origin = 'scheduled') AS i_scheduled,
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried) AND origin = 'ad_hoc') AS i_ad_hoc,
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried) AND onsite_ended_on BETWEEN $2 AND $3)
    AS i_onsite_ended,
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried) AND concl) AS i_concluded,
  COUNT(*) FILTER (WHERE t = 1 AND (started OR carried)
    AND (concluded_on IS NULL OR concluded_on > $3) AND (closed_on IS NULL OR closed_on > $3)
    AND (cancelled_on IS NULL OR cancelled_on > $3)) AS i_in_progress,
  COALESCE(SUM(s_units) FILTER (WHERE t = 1 AND concl), 0) AS i_units_inspected,
  COALESCE(SUM(f_units) FILTER (WHERE t = 1 AND concl), 0) AS i_units_violating,
  COALESCE(SUM(f_vnd) FILTER (WHERE t = 1 AND concl), 0) AS i_violation_vnd,
  COALESCE(SUM(f_cm2) FILTER (WHERE t = 1 AND concl), 0) AS i_violation_cm2,
  COALESCE(SUM(recover_vnd) FILTER (WHERE t = 1 AND concl), 0) AS i_recover_vnd,
  COALESCE(SUM(recover_cm2) FILTER (WHERE t = 1 AND concl), 0) AS i_recover_cm2,
  COALESCE(SUM(other_vnd) FILTER (WHERE t = 1 AND concl), 0) AS i_other_financial_vnd,
  COALESCE(SUM(disc_coll) FILTER (WHERE t = 1 AND concl), 0) AS i_discipline_collectives,
  COALESCE(SUM(disc_ind) FILTER (WHERE t = 1 AND concl), 0) AS i_discipline_individuals,
  COALESCE(SUM(ref_cases) FILTER (WHERE t = 1 AND concl), 0) AS i_referral_cases,
  COALESCE(SUM(ref_persons) FILTER (WHERE t = 1 AND concl), 0) AS i_referral_persons,
  -- table 2
  COUNT(*) FILTER (WHERE t = 2 AND (started OR carried)) AS c_total,
  COUNT(*) FILTER (WHERE t = 2 AND carried) AS c_carried_over,
  COUNT(*) FILTER (WHERE t = 2 AND started) AS c_started,
  COUNT(*) FILTER (WHERE t = 2 AND (started OR carried) AND origin = 'scheduled') AS c_scheduled,
  COUNT(*) FILTER (WHERE t = 2 AND (started OR carried) AND origin = 'ad_hoc') AS c_ad_hoc,
  COALESCE(SUM(s_orgs) FILTER (WHERE t = 2 AND concl), 0) AS c_organisations_checked,
  COALESCE(SUM(s_people) FILTER (WHERE t = 2 AND concl), 0) AS c_individuals_checked,
  COALESCE(SUM(f_orgs) FILTER (WHERE t = 2 AND concl), 0) AS c_organisations_violating,
  COALESCE(SUM(f_people) FILTER (WHERE t = 2 AND concl), 0) AS c_individuals_violating,
  COALESCE(SUM(sanctions) FILTER (WHERE t = 2), 0) AS c_sanctions,
  COALESCE(SUM(fines_vnd) FILTER (WHERE t = 2), 0) AS c_fines_vnd,
  COALESCE(SUM(confiscated_vnd) FILTER (WHERE t = 2), 0) AS c_confiscated_vnd,
  COALESCE(SUM(recover_vnd) FILTER (WHERE t = 2 AND concl), 0) AS c_recover_vnd,
  COALESCE(SUM(rec_vnd) FILTER (WHERE t = 2), 0) AS c_recovered_vnd,
  COALESCE(SUM(fines_collected) FILTER (WHERE t = 2), 0) AS c_fines_collected_vnd,
  -- table 3
  COUNT(*) FILTER (WHERE due) AS m_to_implement,
  COUNT(*) FILTER (WHERE due AND ((closed_on IS NOT NULL AND closed_on <= $3)
    OR (COALESCE(n, 0) > 0 AND NOT open_at_end))) AS m_completed,
  COALESCE(SUM(recover_vnd) FILTER (WHERE due), 0) AS m_to_recover_vnd,
  COALESCE(SUM(rec_vnd) FILTER (WHERE due), 0) AS m_recovered_vnd,
  COALESCE(SUM(rec_total_vnd) FILTER (WHERE due), 0) AS m_recovered_total_vnd,
  COALESCE(SUM(recover_cm2) FILTER (WHERE due), 0) AS m_to_recover_cm2,
  COALESCE(SUM(rec_cm2) FILTER (WHERE due), 0) AS m_recovered_cm2,
  COALESCE(SUM(rec_total_cm2) FILTER (WHERE due), 0) AS m_recovered_total_cm2,
  COALESCE(SUM(disc_coll) FILTER (WHERE due), 0) AS m_discipline_collectives,
  COALESCE(SUM(disc_ind) FILTER (WHERE due), 0) AS m_discipline_individuals,
  COALESCE(SUM(disc_done) FILTER (WHERE due), 0) AS m_discipline_done,
  COALESCE(SUM(ref_required) FILTER (WHERE due), 0) AS m_referrals_required,
  COALESCE(SUM(ref_made) FILTER (WHERE due), 0) AS m_referrals_made
FROM x
