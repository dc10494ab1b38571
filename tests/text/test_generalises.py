"""Issue 9's known failures as kinds, each in wordings of our own (none is in the devset)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from musclewise.text import read_text
from musclewise.text.lexicon import LEXICON_PATH, compile_lexicon, load_lexicon, medicine_names
from musclewise.text.reader import Pipeline, pipeline

CASES: list[tuple[str, dict[str, Any]]] = [
    # the twelfth round: hands said by their shape, asking again, a face twitch spreading, a
    # limb without blood, walking pain now at rest, clock times, bites
    ("both of his hands are bent in at the wrists", {"carpopedal_spasm": True}),
    ("her lips and cheeks are fizzy", {"perioral_tingling": True}),
    ("he keeps asking where we are even though I have told him twice", {"confusion": True}),
    ("it's not just my eyelid now, my cheek twitches with it", {"spreading": True}),
    ("my foot is cold and a waxy grey and my toes are a bit blue", {"pale_cold_limb": True}),
    ("my leg hurts when I walk and now even sitting still", {"rest_pain": True}),
    ("woke at 2 with cramp, it's now 2.40 and it's still locked", {"duration_s": 2400}),
    ("a spider bit me on the leg and it's cramping", {"wound": True}),
    ("his left hand cramped and wont work properly", {"weakness": True}),
    ("the fleshy pad under my thumb has sunk", {"wasting": True}),
    # an age without "old": years after the person, or a bare number right after the person
    ("my boy (5yrs) has leg pains at night", {"age": 5}),
    ("she is 7 yrs and gets cramps in bed", {"age": 7}),
    ("grandad 77 cramp in his thigh all night", {"age": 77}),
    # tens and units in words; a cramp that started a while ago and is still going has
    # lasted that long so far
    ("I'm twenty five and my calf cramps at night", {"age": 25}),
    ("calf cramp for twenty five minutes now", {"duration_s": 1500}),
    ("my calf cramped 15 minutes ago and its still locked", {"duration_s": 900}),
    # "over", "and a bit": a little more than said; a limb is a place when none of its parts is
    ("twitching for just over two weeks now", {"ongoing_days": 15.4}),
    ("calf cramp that lasted over 10 minutes", {"duration_s": 660}),
    ("twitches in my legs and arms", {"muscles_involved": 2}),
    # an age with a sex letter, or by its decade only when no age is said outright
    ("67M calf cramps at night", {"age": 67, "sex": "male"}),
    ("in my 20s I never had cramps, now I'm 61", {"age": 61}),
    ("dad is in his late eighties and has cramps", {"age": 88}),
    # a long medicine name one letter wrong is still the medicine
    ("on furosomide and cramps every night", {"medications": ["furosomide"]}),
    # a frequency range is read at its top, the cautious reading
    ("calf cramps 1-2 nights a week", {"episodes_per_week": 2}),
    ("cramps four or five times a month", {"episodes_per_week": 5 / 4.33}),
    # "can't stop" and "hasn't stopped" affirm what follows: the "n't" is no negation
    ("cant stop twitchin in my thumb for 3 days", {"extent": "part_of_muscle"}),
    ("My calf hasn't stopped swelling since the flight.", {"swelling": True}),
    # "can't stop" and "hasn't stopped" affirm what follows ("I can't stop twitching")
    ("cant stop twitchin in my thumb for 3 days", {"extent": "part_of_muscle"}),
    ("My calf hasn't stopped swelling since the flight.", {"swelling": True}),
    # the lead's third round: prickling lips, a hand drawn into a shape, getting up to walk
    (
        "Two days after my op on the neck, my lips prickle and my hands seize into a claw.",
        {"perioral_tingling": True, "carpopedal_spasm": True, "recent_surgery": True},
    ),
    (
        "Evenings I have to get up and pace, and I can't get back to sleep.",
        {"urge_to_move": True, "sleep_disturbed": True},
    ),
    # a "not" in one clause does not negate a finding in the next
    (
        "I cannot wee properly, my arms feel weak too.",
        {"bladder_or_bowel_change": True, "weakness": True},
    ),
    ("Haven't got a fever, the thigh is warm though.", {"fever": False, "warmth": True}),
    ("It wasn't red at first but now it's red and hot.", {"redness": True, "warmth": True}),
    ("No tingling, numbness or weakness.", {"numbness_tingling": False, "weakness": False}),
    ("Didn't hurt at all and I can see it flicker.", {"pain": 0, "visible_twitch": True}),
    # inflections and typos
    ("His ankle swelled right up.", {"swelling": True}),
    ("My calfs are swolen and tendre.", {"swelling": True, "tenderness": True}),
    ("Can't breath, chest tightening.", {"trouble_breathing": True, "chest_pain": True}),
    # urine, chest, jaw, limb
    ("After the bootcamp my wee turned the colour of cola.", {"dark_urine": True}),
    ("Pee came out like motor oil this morning.", {"dark_urine": True}),
    (
        "Got a tight chest and I can't catch my breath.",
        {"chest_pain": True, "trouble_breathing": True},
    ),
    (
        "A week after a rusty nail went into my heel my jaw is very stiff.",
        {"lockjaw": True, "wound": True},
    ),
    (
        "Two weeks after the birth her leg doubled in size and went purple.",
        {"swelling": True, "redness": True, "postpartum": True, "site": "leg"},
    ),
    # more ways of saying the rarer signs
    ("I can hardly swallow and my neck is in spasm.", {"trouble_swallowing_or_speaking": True}),
    ("Lost feeling in my saddle area since lifting.", {"saddle_numbness": True}),
    ("I keep peeing myself and my back is agony.", {"bladder_or_bowel_change": True}),
    ("Her face has gone funny on one side.", {"face_droop": True}),
    ("Stabbing pain when I take a deep breath.", {"chest_pain": True}),
    ("Pain is off the charts, nothing helps.", {"severe_unrelenting_pain": True}),
    ("Running a temp of 38.5 with the cramps.", {"fever": True}),
    ("My lips and fingers are tingly after breathing fast.", {"perioral_tingling": True}),
    ("There's no weakness but he keeps dropping his mug.", {"weakness": True}),
    (
        "I don't have chest pain or shortness of breath.",
        {"chest_pain": False, "trouble_breathing": False},
    ),
    (
        "He couldn't feel his bum on the toilet seat and is struggling to pee.",
        {"saddle_numbness": True, "bladder_or_bowel_change": True},
    ),
    ("No chest pain or breathing problems.", {"chest_pain": False, "trouble_breathing": False}),
    ("My leg gave way on the stairs.", {"weakness": True, "site": "leg"}),
    ("I'm not able to lift my arm.", {"weakness": True, "site": "arm"}),
    ("A stitch when I breathe in since the calf swelled.", {"chest_pain": True, "swelling": True}),
    # time: soreness afterwards is not the episode; frequency words
    ("The cramp lasted a minute; six hours later it's still sore.", {"duration_s": 60}),
    ("These foot cramps come almost nightly.", {"episodes_per_week": 6}),
    ("Night after night the same hamstring cramp.", {"episodes_per_week": 7}),
    # everyday words are not findings
    ("An eye-opening run: my calf cramped at mile 3.", {"site": "calf"}),
    ("Had a warm bath and my toes cramped.", {"site": "toes"}),
    # second round (issue 9 §3): the kinds a hold-out set still missed, in other words
    ("Stabbing on the left side of my chest with each breath.", {"chest_pain": True}),
    ("Puffing and panting after a couple of steps.", {"trouble_breathing": True}),
    ("His calf is huge. He also says he's out of breath.", {"trouble_breathing": True}),
    ("The nurse wrapped it up tightly yesterday.", {"cast_or_tight_bandage": True}),
    ("Her splint is really tight.", {"cast_or_tight_bandage": True}),
    ("It's so painful she's sobbing.", {"severe_unrelenting_pain": True}),
    ("Co-codamol does nothing.", {"severe_unrelenting_pain": True}),
    ("Touching his toes makes him yell.", {"pain_on_passive_stretch": True}),
    ("He screams if you bend his fingers.", {"pain_on_passive_stretch": True}),
    ("The corner of her mouth is drooping.", {"face_droop": True}),
    ("His face went wonky.", {"face_droop": True}),
    ("Her speech sounded garbled.", {"trouble_swallowing_or_speaking": True}),
    ("His left hand went limp.", {"weakness": True}),
    ("It's now affecting my jaw as well.", {"spreading": True}),
    ("My son (12) has a sore thigh.", {"age": 12, "sex": "male"}),
    ("Temp of 101.3F and achy legs.", {"fever": True}),
    ("Her temperature was 37.1 and the cramp went.", {"fever": False}),
    ("He refuses to walk on it.", {"weakness": True}),
    ("I keep dragging my left foot.", {"weakness": True}),
    ("Cramps in my calves all the time.", {"episodes_per_week": 3}),
    ("Calf cramps at night and the calf flickers too.", {"visible_twitch": True}),
    (
        "Something popped in my hamstring during the sprint.",
        {"recent_injury": True, "onset": "during_exercise"},
    ),
    ("Twitching about 5x a week.", {"episodes_per_week": 5}),
    ("Pain behind my right knee and in the calf.", {"site": "knee", "side": "right"}),
    ("The side of her face by the eye is drooping.", {"face_droop": True}),
    (
        "Thigh cramps most nights and the thigh twitches during the day.",
        {"visible_twitch": True, "extent": "whole_muscle"},
    ),
    ("Heard a POP from the car exhaust and my calf cramped.", {"site": "calf"}),
    ("My boy, who's 6, can't stand on it.", {"age": 6, "weakness": True}),
    ("The plaster is digging into her shin.", {"cast_or_tight_bandage": True}),
    ("His face has gone saggy.", {"face_droop": True}),
    ("He sounds drunk.", {"trouble_swallowing_or_speaking": True}),
    ("My legs went like jelly.", {"weakness": True}),
    ("The twitch has crept up my neck.", {"spreading": True}),
    ("Cramps every second night.", {"episodes_per_week": 3.5}),
    ("Our 5 y/o keeps crying about her calf.", {"age": 5}),
    ("Under my left ribs it catches with each breath.", {"chest_pain": True}),
    ("It's agony to breathe and my thigh is puffy.", {"chest_pain": True, "swelling": True}),
    ("He flinches if you press on it.", {"tenderness": True}),
    ("The cast feels like it's squeezing her arm.", {"cast_or_tight_bandage": True}),
    # the fourteenth round: relief by sitting, counts said with "in", walking and touching,
    # the urge to move, a cramp still going at a later time, a swelling not gone, relatives
    (
        "pins and needles from the cast, the pain is through the roof",
        {"severe_unrelenting_pain": True},
    ),
    ("got kicked in the shin and now it's rock hard", {"recent_injury": True}),
    ("legs ache walking and ease when I sit down", {"relieved_by_bending_forward": True}),
    ("cramps four nights in the week", {"episodes_per_week": 4.0}),
    ("cramps 3 days in a week", {"episodes_per_week": 3.0}),
    ("she can't walk on it", {"weakness": True}),
    ("it compels me to get up and walk about", {"urge_to_move": True}),
    ("his shin hurts if you touch it", {"tenderness": True}),
    (
        "the cramp started at 7 this morning and it's still locked now at 12",
        {"duration_s": 5 * 3600},
    ),
    ("calf cramp since 7, still going at lunch", {"duration_s": 5 * 3600}),
    ("calf cramp at 11, still tight at noon", {"duration_s": 3600}),
    ("the swelling's gone but my calf is still red and hot", {"redness": True}),
    ("the swelling has nearly gone", {"swelling": True}),
    ("the swelling has not gone", {"swelling": True}),
    ("my calf swelling is gone down a bit but it's still swollen", {"swelling": True}),
    ("my granddaughter (9) has cramps in her feet at night", {"age": 9, "sex": "female"}),
    ("my stepson, 14, got cramp in his calf at football", {"age": 14, "sex": "male"}),
    ("my dotter is 6 and her calf hurts", {"age": 6, "sex": "female"}),
    ("my brother's daughter is 9 and gets cramps in her feet", {"age": 9, "sex": "female"}),
    ("my husband's mum, 78, has cramps in her calves", {"age": 78, "sex": "female"}),
    ("my son's 12 and his calf cramped", {"age": 12, "sex": "male"}),
    # the eighth session's probes: a child said by how they are, a chest's cramp, not waking
    ("8 year old hot and floppy, legs hurt", {"fever": True, "weakness": True}),
    ("my son is burning up and floppy", {"weakness": True}),
    ("a cramp in my chest going down my left arm", {"chest_pain": True}),
    ("he wont wake up properly and he's boiling", {"confusion": True}),
    ("the baby is not waking up properly", {"confusion": True}),
    ("baby 4 months not feeding and very floppy", {"age": 0, "weakness": True}),
    ("she won't drink and is floppy", {"weakness": True}),
    # a negation that took its own object before "and" does not reach past it
    ("not eating and very confused", {"confusion": True}),
    ("no appetite and short of breath", {"trouble_breathing": True}),
    ("not walking much and calf swollen", {"swelling": True}),
    ("no swelling and redness", {"swelling": False, "redness": False}),
    # a sign said with its own negation
    ("is it normal to get cramps and not be able to breathe properly", {"trouble_breathing": True}),
    ("cramps and my throat feels like its closing", {"trouble_breathing": True}),
    ("can't remember where i am, cramps all over", {"confusion": True}),
    ("she forgot where she lives and her legs are cramping", {"confusion": True}),
    # speech that went suddenly started today (a stroke's sign)
    ("my speech is suddenly slurred", {"trouble_swallowing_or_speaking": True, "ongoing_days": 0}),
    ("suddenly she cant speak", {"trouble_swallowing_or_speaking": True, "ongoing_days": 0}),
    ("can hardly breathe and my legs are cramping", {"trouble_breathing": True}),
    ("muscles all locked up after the bee sting, throat swelling", {"trouble_breathing": True}),
    ("my breathing is really bad and my legs cramp", {"trouble_breathing": True}),
    ("feels like im drowning", {"trouble_breathing": True}),
    ("laboured breathing and cramps", {"trouble_breathing": True}),
    ("no trouble getting my breath", {"trouble_breathing": False}),
    ("pain behind my breastbone and my arm aches", {"chest_pain": True}),
    ("no pain behind my breastbone", {"chest_pain": False}),
    ("squeezing in my chest", {"chest_pain": True}),
    ("one side of his mouth wont move", {"face_droop": True}),
    ("he was acting drunk but hadn't had a drink", {"confusion": True}),
    ("pins and needles in my lips and my hands are cramping", {"perioral_tingling": True}),
    ("my crotch is numb and my back hurts", {"saddle_numbness": True}),
    ("unable to pass urine since this morning", {"bladder_or_bowel_change": True}),
    ("not lost control of my bladder", {"bladder_or_bowel_change": False}),
    ("teeth clenched and won't open", {"lockjaw": True}),
    ("wrists bent and fingers stuck together", {"carpopedal_spasm": True}),
    ("my foot hurts even when im resting in bed", {"rest_pain": True}),
    ("foot pain at night, better hanging it off the bed", {"rest_pain": True}),
    ("calf is tight as anything and swollen after the fall", {"tight_swollen_compartment": True}),
    ("his mouth looks lower on one side", {"face_droop": True}),
    ("hot to the touch and shaking", {"fever": True}),
    ("dads legs cramping in the heat and he dosnt know where he is", {"confusion": True}),
    ("i couldent breathe", {"trouble_breathing": True}),
    ("my calf wasent swollen", {"swelling": False}),
]
NOT_READ: list[tuple[str, str]] = [
    ("My fingers seized up with cramp in the cold for a few seconds.", "carpopedal_spasm"),
    ("My knee op was years ago; last night a calf cramp for a minute.", "recent_surgery"),
    ("Back from two 9 hour flights and my calf aches.", "duration_s"),
    ("It's not really swollen, maybe a tiny bit?", "swelling"),
    ("An eye-opening run: my calf cramped at mile 3.", "eyelid_closes_or_droops"),
    ("Had a warm bath and my toes cramped.", "warmth"),
    ("my leg wont wake up, pins and needles from sitting on it", "confusion"),
    ("had a baby 4 months ago and my calves cramp at night", "age"),
    ("i can't remember where i parked, then my calf cramped", "confusion"),
    ("i cant remember where i was when the cramp started", "confusion"),
    ("i can hardly believe how bad the cramp was", "trouble_breathing"),
    ("sore throat and a calf cramp", "trouble_breathing"),
    ("i was breathing hard on my run and my calf cramped", "trouble_breathing"),
    ("toes curled up and stuck for a minute in bed", "carpopedal_spasm"),
    ("pulled my calf at football, it hurts even when im resting", "rest_pain"),
    ("i get cramps in my feet even when im resting", "rest_pain"),
    ("i wont wake up early tomorrow so no calf stretches", "confusion"),
    ("my calf cramped and i was hot and sweaty from the run", "weakness"),
    ("I twisted my foot falling off the kerb and it cramped.", "twisting_posture"),
    ("The cramp lasted a minute; six hours later it's still sore.", "ongoing_days"),
    ("I don't think my leg is swollen.", "swelling"),
    ("It was 38.5 degrees outside and my calf cramped.", "fever"),
    ("Cramped on the run home, eased with a stretch.", "fluid_loss"),
    ("My calf went pop at the gym.", "medications"),
    ("Calf cramp while jumping rope.", "visible_twitch"),
    ("Cramp lasted a minute, ibuprofen and it did nothing much.", "severe_unrelenting_pain"),
    ("Pain in the back of my thigh.", "side"),
    ("The side of her face by the eye is drooping.", "eyelid_closes_or_droops"),
    ("Heard a POP from the car exhaust and my calf cramped.", "medications"),
    ("Heard a POP from the car exhaust and my calf cramped.", "recent_injury"),
    ("Ran 10k and my calf cramped on the run home.", "fluid_loss"),
    ("A constant cramp-like ache in my calf.", "episodes_per_week"),
    ("We moved to the sofa and my calf cramped.", "spreading"),
    ("My calf cramps going up the stairs.", "spreading"),
    ("calf cramp started twenty minutes ago, its gone now", "duration_s"),
    (
        "hamstring cramped an hour ago, fine now, stretching did nothing but walking did",
        "duration_s",
    ),
    ("cramp in my calf and then my whole leg ached", "muscles_involved"),
    ("pulling the corner of my mouth back to floss, my hand cramped", "spreading"),
    ("went camping at the lake and switched to a new tent, my calf cramped", "visible_twitch"),
    ("5m into my swim my calf cramped", "age"),
    ("in my 20s I never had cramps, now I'm 61", "sex"),
    ("I'm 5 foot 2 and my calves cramp", "age"),
    ("I run 4 times a week, my calf cramped on today's run", "episodes_per_week"),
    ("my husband 6'2 gets calf cramps", "age"),
    ("the last day of my holiday my calf cramped", "ongoing_days"),
    ("my eye has been twitching for too weeks", "weakness"),
    ("it's week two of my training and my calf cramps", "weakness"),
    # years said of a person without "old" is an age, but not when the years are a time
    ("my mum 3 years on statins now and her calves cramp", "age"),
    ("my daughter 4 years ago had the same cramps", "age"),
    ("my son 6 foot tall gets cramps at night", "age"),
    ("my husband 10 years older than me gets cramps", "age"),
    # the twelfth round: one hand's cramp, leaving a pose, a rub, a nap, a moment's gasp
    ("my hand cramped on the pen and I couldn't uncurl my fingers", "carpopedal_spasm"),
    ("calf cramped in pigeon pose and eased when I came out of it", "confusion"),
    ("put some deep heat on my sore calf", "warmth"),
    ("passed out on the sofa and woke with cramp in my foot", "confusion"),
    ("my calf cramped so hard I couldn't breathe for a second", "trouble_breathing"),
    ("my calf cramped so hard I couldn't breathe for a second", "duration_s"),
    ("sitting in my chair my foot went into a cramp", "relieved_by_bending_forward"),
    ("I've smoked for 40 years and my calves cramp", "ongoing_days"),
    ("on the overnight flight my calf cramped", "onset"),
    ("four hours sleep and my eyelid twitches", "duration_s"),
    ("I do grip tests on myself every night, twitchy thumb", "onset"),
    ("my calf cramps at night after football and now even at rest", "rest_pain"),
    ("my run starts at 6 and now it's 6.30 and my calf is still tight", "duration_s"),
    ("the fleshy bit by my thumb twitches", "wound"),
    ("my toddler keeps asking for his dummy even though I told him no", "confusion"),
    ("can't unclench my fists after climbing, both hands ache", "carpopedal_spasm"),
    ("I can barely feel my calf cramp now, it's going", "numbness_tingling"),
    ("I got a stitch under my ribs breathing hard on the run", "chest_pain"),
    # the thirteenth round: an activity's hours, a parent's baby, a fizzy drink, a chair
    ("both calves cramped after 3 hrs gardening in the sun", "duration_s"),
    ("calf cramp after half an hour of cycling", "duration_s"),
    ("I have a newborn and my eyelid twitches", "age"),
    ("drank some pop in bed and my calf cramped", "cast_or_tight_bandage"),
    ("did 2 ankle circles and my calf cramped", "recent_injury"),
    ("I must move my car, then my calf cramped", "urge_to_move"),
    ("my calf cramps on hills. will it ease if I stand still?", "relieved_by_rest"),
    ("my calf cramps, does it help to stretch it?", "relieved_by_stretch"),
    ("I got up 3 times in the night with cramp in my calf", "episodes_per_week"),
    # the fourteenth round: sitting that brings it back, a medicine that kicks in, anxiety or
    # sugars through the roof, nights in a place, a cramp that forces you up, a swelling gone
    (
        "it eases while I am walking but returns as soon as I sit down again",
        "relieved_by_bending_forward",
    ),
    ("restless legs, worse when I sit in the evening", "relieved_by_bending_forward"),
    ("his foot curls under until the medication kicks in", "recent_injury"),
    ("the cramp goes once the painkillers kicked in", "recent_injury"),
    ("calf twitches, health anxiety through the roof", "severe_unrelenting_pain"),
    ("calf cramps and my sugars are through the roof", "severe_unrelenting_pain"),
    ("calf cramp, then 3 nights in hospital with a chest infection", "episodes_per_week"),
    ("a cramp that lasted 2 days in hospital", "episodes_per_week"),
    ("the cramp makes me get up and walk it off", "urge_to_move"),
    ("my calf cramp forced me to get up and stretch it", "urge_to_move"),
    ("UPDATE: the swelling is gone and I'm walking fine", "swelling"),
    ("EDIT: the redness has disappeared", "redness"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads_the_kind(text: str, expected: dict[str, Any]) -> None:
    found = read_text(text).findings
    for key, value in expected.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            assert found.get(key) == pytest.approx(value, rel=0.25), (key, found)
        else:
            assert found.get(key) == value, (key, found)


@pytest.mark.parametrize(("text", "key"), NOT_READ, ids=[c[0][:40] for c in NOT_READ])
def test_does_not_read(text: str, key: str) -> None:
    assert key not in read_text(text).findings


def test_the_cached_lexicon_is_the_compiled_one() -> None:
    lexicon = load_lexicon(LEXICON_PATH)
    fresh = Pipeline(compile_lexicon(lexicon, medicine_names(lexicon)))
    text = "My left calf is swollen and red since the flight, no fever, 8/10."
    assert fresh.read(text).findings == pipeline().read(text).findings


def test_the_compiled_trie_shares_identical_branches() -> None:
    """The alternatives of a pattern end in identical subtrees: kept once, the cached table is
    small and loads fast (start-up of ``assess "text"``, issue 15), and marshal keeps them
    shared through the cache."""
    import marshal

    lexicon = load_lexicon(LEXICON_PATH)
    trie = compile_lexicon(lexicon, medicine_names(lexicon))["trie"]

    def walk(node: dict[str, Any], seen: set[int]) -> int:
        """Nodes on every path (a tree's size), counting each distinct node into ``seen``."""
        seen.add(id(node))
        return 1 + sum(walk(v, seen) for k, v in node.items() if isinstance(v, dict))

    distinct: set[int] = set()
    paths = walk(trie, distinct)
    assert len(distinct) * 10 < paths
    again: set[int] = set()
    walk(marshal.loads(marshal.dumps(trie)), again)
    assert len(again) == len(distinct)


@pytest.mark.parametrize(
    "text",
    [
        "pt . do 3 times", "3 times", "twice", "2 times in", "3 nights in", "3 nights in the",
        "four nights in a", "nights in the week", "kicks in", "through the roof",
        "returns as soon as I sit", "compels me to", "can't walk on", "hurts when I touch",
        "2 days in", "cramp 5 times in",
    ],
)  # fmt: skip
def test_a_phrase_cut_off_at_the_end_of_a_text_does_not_crash_the_reader(text: str) -> None:
    # a rule reading past the last word raised IndexError ("pt . do 3 times", found by fuzzing)
    read_text(text)
    read_text("calf cramp " + text)


@pytest.mark.parametrize(
    "text",
    [
        "calf cramp at 7 this morning, gone in a minute, meeting now at 12",
        "cramp woke me at 3 and my calf was still sore at lunch",
        "calf cramp at 9, still going at",
    ],
)
def test_no_long_cramp_from_a_later_time(text: str) -> None:
    assert read_text(text).findings.get("duration_s", 0) < 600


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_text_crashes_the_reader(text: str) -> None:
    reading = read_text(text)
    assert all(u.key in reading.findings for u in reading.understood)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "cramp",
                "no",
                "swollen",
                ",",
                "or",
                "calf",
                "3",
                "minutes",
                "every",
                "night",
                "not",
                "n't",
                "🙂",
                "\n",
                "and now",
            ]
        ),
        max_size=3000,
    )
)
def test_long_texts_of_lexicon_words_do_not_crash(words: list[str]) -> None:
    read_text(" ".join(words))


def _vocabulary() -> list[str]:
    """Every word the lexicon's rules and patterns look for, and some numbers."""
    data = yaml.safe_load(LEXICON_PATH.read_text())
    words: set[str] = {"3", "12", "0.5", "-", "/", ",", ".", "?"}
    for values in data["words"].values():
        words.update(str(v) for v in values)
    for concept in data["concepts"]:
        for pattern in concept.get("patterns", []):
            for token in pattern.split():
                words.update(t for t in token.rstrip("?").split("|") if t not in ("_", "#"))
    return sorted(words)


VOCABULARY = _vocabulary()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=12))
def test_short_texts_of_the_words_the_rules_read_do_not_crash(words: list[str]) -> None:
    """The rules look around a word they know ("he is" then an age, "aged" then a number):
    at the end of a text there is nothing to look at ("he doesn't know where he is" crashed)."""
    reading = read_text(" ".join(words))
    assert all(u.key in reading.findings for u in reading.understood)


def test_an_empty_or_blank_text_reads_nothing() -> None:
    assert read_text("").findings == {}
    assert read_text("   \n\t ").findings == {}


@pytest.mark.parametrize(
    ("key", "answer", "value"),
    [
        ("ongoing_days", "about a week", 7),
        ("ongoing_days", "3 months", 90),
        ("episodes_per_week", "2-3", 2.5),
        ("episodes_per_week", "most nights", 6),
        ("episodes_per_week", "almost nightly", 6),
        ("duration_s", "a minute and a half", 90),
        ("duration_s", "30 secs", 30),
        ("pain", "about 6/10", 6),
        ("exercise_minutes", "an hour", 60),
        ("duration_s", "no idea", None),
        ("swelling", "what?", None),
    ],
)
def test_free_answers_to_one_question(key: str, answer: str, value: float | None) -> None:
    from musclewise.text import read_answer

    got = read_answer(key, answer)
    if value is None:
        assert got is None
    else:
        assert got == pytest.approx(value, rel=0.05)


def test_letters_typed_over_and_over_read_as_the_word() -> None:
    reading = read_text("my leg is swolllen and reeed, sooooo painful")
    assert reading.findings.get("swelling") is True
    assert reading.findings.get("redness") is True
    assert reading.findings.get("pain") == 8
    assert "swolllen" in {u.said for u in reading.understood}, "said as typed"
