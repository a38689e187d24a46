"""Where a page's time goes in the database, for the benches that time pages (reports_bench, queue_bench).

SqlClock times every statement at the driver (execution and fetch, waiting included) and keeps the statements of
the last request; explain() runs them again under EXPLAIN (ANALYZE) and sums PostgreSQL's own planning and
execution times: the database's work for the page, which depends little on how busy the machine is."""

import json
import time

from sqlalchemy import event


class SqlClock:
    """Time spent in the database driver and statements run, per request (the rest is the web process)."""

    def __init__(self, engine):
        self.seconds, self.statements, self._started, self.captured = 0.0, 0, [], []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())
        self.captured.append((statement, parameters))

    def _after(self, *args):
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1

    def reset(self):
        self.seconds, self.statements, self.captured = 0.0, 0, []


def explain(engine, captured, *, jit_off: bool) -> dict:
    """PostgreSQL's planning and execution time (ms) of the SELECTs in `captured`, run again as the page ran them
    (`jit_off`: as the figures pages set it); the slowest one named."""
    planning = execution = 0.0
    slowest = (0.0, "")
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            if jit_off:
                cursor.execute("SET jit = off")
            for statement, parameters in captured:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                planning += plan.get("Planning Time", 0.0)
                execution += plan["Execution Time"]
                if plan["Execution Time"] > slowest[0]:
                    slowest = (plan["Execution Time"], " ".join(statement.split())[:160])
        raw.rollback()
    return {
        "planning_ms": round(planning, 1),
        "execution_ms": round(execution, 1),
        "slowest_ms": round(slowest[0], 1),
        "slowest": slowest[1],
    }
