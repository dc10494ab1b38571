"""The pages of a check: "Describe it" (free text read into findings, shown back to confirm),
the questions one at a time (the safety screen included), and the answer, which can be saved
to the diary. A check in progress lives in the database under a random id (:mod:`.state`), so
each page of it may be served by another app server; nothing a person types is logged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from musclewise.diary.validate import episode_from_findings
from musclewise.errors import FieldProblem, FindingsError
from musclewise.web import words
from musclewise.web.app import FormOf, render, see_other, web
from musclewise.web.state import Check


def routes(app: FastAPI) -> None:
    @app.get("/assess", response_class=HTMLResponse)
    def describe_page(request: Request) -> HTMLResponse:
        return render(request, "assess.html", title="Describe it", text="")

    @app.post("/assess")
    def describe_post(request: Request, form: FormOf) -> Response:
        from musclewise.assessment import read_into
        from musclewise.findings import validate_findings

        text = str(form.get("text") or "").strip()
        if not text:
            problem = FieldProblem("text", "Describe what happened, in your own words")
            return render(request, "assess.html", title="Error: Describe it", text="",
                          errors=[problem], status=422)  # fmt: skip
        if len(text) > 5000:
            problem = FieldProblem("text", "Keep it under 5,000 characters")
            return render(request, "assess.html", title="Error: Describe it", text=text,
                          errors=[problem], status=422)  # fmt: skip
        try:
            read, understood = read_into(validate_findings({"text": text}))
        except FindingsError as exc:  # nothing could be read (contract 1.1 refuses the text)
            if any(p.key != "text" for p in exc.problems):
                raise
            read, understood = {}, []
        if not understood:
            return render(request, "assess.html", title="Describe it: nothing understood",
                          text=text, nothing_read=True, status=422)  # fmt: skip
        check = Check(findings=dict(read), understood=understood, from_text=True, text=text)
        key = web(request).store.add(check)
        return see_other(f"/check/{key}/understood")

    @app.get("/check/{key}/understood", response_class=HTMLResponse)
    def understood_page(request: Request, key: str) -> HTMLResponse:
        check = web(request).store.get(key, Check)
        return render(request, "understood.html", title="What I understood", key=key,
                      items=_understood_items(check))  # fmt: skip

    @app.post("/check/{key}/understood")
    def understood_post(request: Request, key: str, form: FormOf) -> Response:
        check = web(request).store.get(key, Check)
        keep = set(form.getlist("keep"))
        for item in _understood_items(check):
            if item["key"] not in keep:
                check.findings.pop(item["key"], None)
        check.confirmed = True
        web(request).store.put(key, check)
        return see_other(f"/check/{key}")

    # ------------------------------------------------------------------ questions

    @app.get("/check", response_class=HTMLResponse)
    def check_start_page(request: Request) -> HTMLResponse:
        return render(request, "check_start.html", title="Answer questions")

    @app.post("/check")
    def check_start(request: Request) -> Response:
        key = web(request).store.add(Check(confirmed=True))
        return see_other(f"/check/{key}")

    @app.get("/check/{key}", response_class=HTMLResponse)
    def question_page(request: Request, key: str) -> Response:
        check = web(request).store.get(key, Check)
        if not check.confirmed:
            return see_other(f"/check/{key}/understood")
        step = _next_step(check)
        if step.question is None or step.assessment["triage"]["level"] == "emergency":
            return see_other(f"/check/{key}/answer")
        return _question(request, key, check, step)

    @app.post("/check/{key}")
    def question_post(request: Request, key: str, form: FormOf) -> Response:
        check = web(request).store.get(key, Check)
        step = _next_step(check)
        question = step.question
        if question is None or form.get("key") != question.key:
            return see_other(f"/check/{key}")  # answered twice, or from an old page
        try:
            added, unknown = _parse_answer(question, form)
        except FindingsError as exc:
            return _question(request, key, check, step, exc.problems, form)
        # an answer that contradicts an earlier one is asked again (a second Continue keeps
        # it), but a "yes" to a warning sign or the safety screen is never held back
        yes = any(v is True for v in added.values())
        clash = None if question.kind == "group" or yes else _contradiction(check.findings, added)
        if clash and form.get("confirm") != question.key:
            problem = FieldProblem("answer", clash + " If it is right, press Continue again.")
            return _question(request, key, check, step, [problem], form, confirm=True)
        check.findings.update(added)
        check.unknown |= unknown
        check.history.append((question.key, added, unknown))
        web(request).store.put(key, check)
        return see_other(f"/check/{key}")

    @app.post("/check/{key}/back")
    def question_back(request: Request, key: str) -> Response:
        check = web(request).store.get(key, Check)
        if check.history:
            _, added, unknown = check.history.pop()
            for k in added:
                check.findings.pop(k, None)
            check.unknown -= unknown
        elif check.from_text:
            check.confirmed = False
        web(request).store.put(key, check)
        return see_other(f"/check/{key}")

    @app.post("/check/{key}/stop")
    def question_stop(request: Request, key: str) -> Response:
        web(request).store.get(key, Check)
        return see_other(f"/check/{key}/answer")

    @app.get("/check/{key}/answer", response_class=HTMLResponse)
    def answer_page(request: Request, key: str) -> HTMLResponse:
        check = web(request).store.get(key, Check)
        return _answer(request, key, check)

    @app.post("/check/{key}/save")
    def answer_save(request: Request, key: str) -> Response:
        app_ = web(request)
        check = app_.store.get(key, Check)
        if check.saved_episode is not None:
            return see_other(f"/diary/{check.saved_episode}")
        found = episode_from_findings(check.findings)
        site = found.fields.pop("site", None)
        if site is None:
            return see_other(f"/check/{key}/answer")
        with app_.diary() as diary:
            episode = diary.add_episode(
                site, **found.fields, findings=found.findings, notes=check.text or None
            )
        check.saved_episode = episode.public_id
        app_.store.put(key, check)
        from musclewise.assessment import assess_valid

        shown = assess_valid(dict(check.findings))["triage"]["level"]
        differs = "&differs=1" if episode.triage != shown else ""
        return see_other(f"/diary/{episode.public_id}?saved=1{differs}")


def _understood_items(check: Check) -> list[dict[str, Any]]:
    """What was read from the text, one line each (a key read twice is shown once)."""
    seen: dict[str, dict[str, Any]] = {}
    for u in check.understood:
        if u["key"] not in seen:
            seen[u["key"]] = {"key": u["key"], "value": u["value"], "said": [u["said"]]}
        elif u["said"] not in seen[u["key"]]["said"]:
            seen[u["key"]]["said"].append(u["said"])
    return list(seen.values())


def _medicines(findings: Mapping[str, Any]) -> Any:
    from musclewise.assessment import resolve_medicines

    return resolve_medicines(findings.get("medications", ()))


def _next_step(check: Check) -> Any:
    from musclewise.assessment import default_engine
    from musclewise.interview import next_step

    return next_step(default_engine(), check.findings, _medicines(check.findings), check.unknown)


NONE, NOT_SURE = "__none__", "__not_sure__"


def _parse_answer(question: Any, form: FormData) -> tuple[dict[str, Any], set[str]]:
    """The answer to one question as findings to add and keys now "not sure"; raises
    :class:`FindingsError` naming the field ("answer") and what to do."""
    from musclewise import interview
    from musclewise.findings import validate_findings

    key = question.key
    action = form.get("action")
    values = [str(v) for v in form.getlist("answer")]

    def problem(message: str) -> FindingsError:
        return FindingsError([FieldProblem("answer", message)])

    if action == "not_sure" or values == [NOT_SURE]:
        if question.kind == "group":
            return _group(question, getattr(interview, "NOT_SURE", NOT_SURE))
        return {}, {key}
    if question.kind == "group":
        if not values:
            raise problem("Tick each sign you have, or 'None of these', or 'Not sure'")
        if (NONE in values or NOT_SURE in values) and len(values) > 1:
            raise problem("Tick the signs you have, or 'None of these' or 'Not sure' alone")
        if values == [NONE]:
            return _group(question, getattr(interview, "NONE", NONE))
        allowed = {k for k, _ in question.choices}
        return _group(question, [v for v in values if v in allowed])
    value: Any
    if question.kind == "yes_no":
        if values not in (["yes"], ["no"]):
            raise problem("Choose Yes, No or Not sure")
        value = values[0] == "yes"
    elif question.kind == "choice":
        allowed = {k for k, _ in question.choices}
        if len(values) != 1 or values[0] not in allowed:
            raise problem("Choose one answer, or Not sure")
        value = values[0]
    elif question.kind == "multi":
        if NOT_SURE in values and len(values) > 1:
            raise problem("Tick what applies, or 'Not sure' alone")
        if NONE in values and len(values) > 1:
            raise problem("Tick what applies, or 'None of these' alone")
        if not values:
            raise problem("Tick what applies, or 'None of these', or 'Not sure'")
        value = [v for v in values if v != NONE]
    elif question.kind == "list":
        raw = str(form.get("text_answer") or "").strip()
        value = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    else:
        value = _number(question, form)
    try:
        validate_findings({key: value})
    except FindingsError as exc:
        raise problem(words.plain_problem(exc)) from None
    return {key: value}, set()


def _group(question: Any, chosen: Any) -> tuple[dict[str, Any], set[str]]:
    """A grouped safety-screen answer through the interview's own ``answer_group``."""
    from musclewise import interview

    answer_group = getattr(interview, "answer_group", None)
    keys = [k for k, _ in question.choices]
    if answer_group is not None:
        added, unknown = answer_group(question, chosen)
        return dict(added), set(unknown)
    if isinstance(chosen, str):  # the interface's NONE / NOT_SURE before it is merged
        return (dict.fromkeys(keys, False), set()) if chosen == NONE else ({}, set(keys))
    return {k: k in chosen for k in keys}, set()  # a checklist answers every line


UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _number(question: Any, form: FormData) -> float | int:
    raw = str(form.get("number") or "").strip().replace(",", ".")
    what = "how long" if question.key == "duration_s" else "a number"
    if not raw:
        raise FindingsError([FieldProblem("answer", f"Enter {what}, or choose Not sure")])
    try:
        number = float(raw)
    except ValueError:
        value: float | int = _free_answer(question, raw, what)
        return value
    if question.key == "duration_s":
        unit = str(form.get("unit") or "seconds")
        return number * UNITS.get(unit, 1)
    if question.key in ("pain", "stress", "age", "muscles_involved"):
        if number != int(number):
            raise FindingsError([FieldProblem("answer", "Enter a whole number")])
        return int(number)
    return number


def _contradiction(findings: Mapping[str, Any], added: Mapping[str, Any]) -> str | None:
    """What an answer contradicts among the earlier ones (the interview's own check)."""
    from musclewise import interview

    check = getattr(interview, "contradiction", None)
    if check is None:
        return None
    for k, value in added.items():
        found: str | None = check(findings, k, value)
        if found:
            return found
    return None


def _free_answer(question: Any, raw: str, what: str) -> Any:
    """An answer in words ("every night", "two weeks"), read by the interview when it can."""
    from musclewise import interview

    parse = getattr(interview, "parse_answer", None)
    if parse is not None:
        try:
            return parse(question, raw)
        except (ValueError, FindingsError):
            pass
    raise FindingsError([FieldProblem("answer", f"Enter {what} in figures, like 2 or 1.5")])


def _question(
    request: Request,
    key: str,
    check: Check,
    step: Any,
    problems: Sequence[FieldProblem] = (),
    form: FormData | None = None,
    *,
    confirm: bool = False,
) -> HTMLResponse:
    question = step.question
    asked = len(check.history)
    return render(
        request,
        "question.html",
        title=("Error: " if problems else "") + question.ask,
        status=422 if problems else 200,
        errors=problems,
        key=key,
        q=question,
        number=asked + 1,
        progress=words.progress(asked),
        reason=step.reason,
        can_go_back=bool(check.history) or check.from_text,
        previous=[str(v) for v in form.getlist("answer")] if form else [],
        typed={k: str(form.get(k) or "") for k in ("number", "unit", "text_answer")}
        if form
        else {},
        confirm=confirm,
    )


def _answer(request: Request, key: str, check: Check) -> HTMLResponse:
    from musclewise.assessment import assess_valid

    findings = dict(check.findings)
    assessment = assess_valid(findings)
    view = words.answer_view(assessment)
    return render(
        request,
        "answer.html",
        title=view["title"],
        key=key,
        a=assessment,
        v=view,
        findings=findings,
        unknown=sorted(check.unknown),
        saved=check.saved_episode,
        from_text=check.from_text,
    )
