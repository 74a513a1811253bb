"""Search quality on the seed: student-style queries find the right paragraph first; off-topic ones find nothing.

The queries were written from a reader's memory of the speech before the recipe was tuned, and are kept
as written: typos, half-remembered phrases, shuffled word order, keywords, number spellings, apostrophes,
brackets and case. The bar is the one the held-out evaluation uses (issue 2).
"""

from __future__ import annotations

from bot.core import Library

ON_TOPIC_BAR = 0.97

# (query, paragraph the first hit must come from)
ON_TOPIC: list[tuple[str, int]] = [
    # typos
    ("enemy of the peopel", 3),
    ("collegiallity in leadership", 1),
    ("Stalin did not tolarate collegiality", 1),
    ("brutal violance", 1),
    ("capricous and despotic charachter", 1),
    ("persuasion explenation and patient cooperation", 2),
    ("demanding absolut submision", 2),
    ("moral and phisical anihilation", 2),
    ("rank and file party wokers", 2),
    ("fell victim to stalins despotizm", 2),
    ("confesion of the acused", 3),
    ("ideolgical errors", 3),
    ("revolutionery legality cruel represion", 3),
    ("suspected of hostle intent", 3),
    ("people with bad reputatons", 3),
    ("glaring violatons of revolutionary legality", 4),
    ("entirely inocent persons", 4),
    ("defended the party lien", 4),
    ("NKVD archve", 5),
    ("fabricaton of cases against comunists", 5),
    ("barbaric tortues", 5),
    ("stigmatised", 5),
    ("Lenin used sever methods", 6),
    ("struggle for survivel", 6),
    ("exploting classes still in existance", 6),
    ("civil warr", 6),
    ("mass represion extreme methods", 7),
    ("abuse of powr", 7),
    ("intolerence and brutality", 7),
    ("mobilising the masses", 7),
    ("revolution was allready victorious", 7),
    ("numericaly and ideologicaly", 7),
    ("stallin acted not thru persuasion", 2),
    ("the confesion was the only proff of guilt", 3),
    # half-remembered phrases, missing words
    ("consider seriously and analyze the crimes of the Stalin era", 1),
    ("preclude any possibility of repetition", 1),
    ("practiced brutal violence toward everything which opposed him", 1),
    ("Stalin acted not through persuasion", 2),
    ("imposing his concepts", 2),
    ("doomed to removal from the leading collective", 2),
    ("honest and dedicated to the cause of communism", 2),
    ("Stalin originated the concept enemy of the people", 3),
    ("the term enemy of the people made cruel repression possible", 3),
    ("only proof of guilt was the confession", 3),
    ("confessions acquired through physical pressures", 3),
    ("against all norms of current legal science", 3),
    ("making one's views known on this or that issue", 3),
    ("innocent persons who had defended the party line became victims", 4),
    ("the commission became acquainted with materials in the archive", 5),
    ("false accusations and abuses of socialist legality", 5),
    ("branded as enemies in 1937-1938", 5),
    ("they were never enemies but honest communists", 5),
    ("charged themselves with grave and unlikely crimes", 5),
    ("no longer able to bear barbaric tortures", 5),
    ("Lenin used severe methods only when necessary", 6),
    ("when the exploiting classes were vigorously opposing the revolution", 6),
    ("the struggle for survival assumed the sharpest forms", 6),
    ("Stalin used extreme methods when the revolution was already victorious", 7),
    ("the exploiting classes were already liquidated", 7),
    ("the party was politically consolidated", 7),
    ("instead of proving his political correctness", 7),
    ("chose the path of repression", 7),
    ("individuals who had not committed any crimes against the party", 7),
    # changed word order
    ("the people's enemy", 3),
    ("legality revolutionary violations glaring", 4),
    ("archive NKVD materials", 5),
    ("despotism Stalin's victim", 2),
    ("annihilation physical moral", 2),
    ("Lenin methods severe", 6),
    ("power abuse brutality", 7),
    ("tortures barbaric", 5),
    ("collegiality leadership tolerate", 1),
    # keywords
    ("collegiality", 1),
    ("NKVD", 5),
    ("wreckers", 5),
    ("confession", 3),
    ("Lenin", 6),
    ("civil war", 6),
    ("despotic", 1),
    ("persuasion", 2),
    ("stigmatized", 5),
    ("Commission of Inquiry", 5),
    ("1934", 2),
    ("1937", 5),
    ("hostile intent", 3),
    ("capricious", 1),
    ("liquidated", 7),
    ("intolerance", 7),
    # number spellings
    ("17th party congress", 2),
    ("XVIIth Congress", 2),
    ("seventeenth party congress", 2),
    ("XVII congress", 2),
    ("party congress of 1934", 2),
    ("branded 1937–1938", 5),
    ("17th congress 1934", 2),
    # apostrophes, brackets, case, punctuation
    ("STALIN'S DESPOTISM", 2),
    ("stalins despotism", 2),
    ("Stalin’s despotism", 2),
    ("[the crimes of the Stalin era]", 1),
    ("commission [of inquiry]", 5),
    ("one's views known", 3),
    ("ones views", 3),
    ('"confession" of the accused himself', 3),
    ("ENEMY OF THE PEOPLE", 3),
    ("rank-and-file", 2),
    ("enemies, spies, wreckers, etc.", 5),
    # questions as students type them
    ("who originated the term enemy of the people", 3),
    ("why did lenin use severe methods", 6),
    ("what happened to people who defended the party line", 4),
    # a second batch, written after the first measurement to probe inflections, joined words and questions
    ("what did khrushchev say about lenin", 6),
    ("what did stalin do to people who disagreed with him", 3),
    ("stalin tortured innocent people", 5),
    ("people were tortured until they confessed", 5),
    ("innocent communists were accused falsely", 5),
    ("enemy of people concept", 3),
    ("enemies of the people", 3),
    ("annihilated physically", 2),
    ("stalin was a despot", 2),
    ("the accused confessed", 3),
    ("victims of stalin", 2),
    ("accusations", 5),
    ("tolerating collegiality", 1),
    ("collegial leadership", 1),
    ("Stalin was intolerant and brutal", 7),
    ("Stalin abused his power", 7),
    ("rank file", 2),
    ("rankandfile party workers", 2),
    ("enemyof the people", 3),
    ("lenin severe metods necessary cases", 6),
    ("lennin", 6),
    ("stalins brutalty", 7),
    ("khrushchev on the nkvd archives", 5),
    ("archives", 5),
    ("tortured", 5),
    ("spies", 5),
    ("wrecker", 5),
    ("physical pressure on the accused", 3),
    ("the concept enemy of the people was originated by stalin", 3),
    ("stalin imposed his concepts and demanded submission", 2),
    ("did not tolerate colegiality", 1),
    ("socialist legality abuses", 5),
    ("abuse of socialist legalty", 5),
    ("the soviet state was strengthened", 7),
    ("ideological fight", 3),
    ("cruel repression", 3),
    ("crimes of the stalin era", 1),
    ("opposing the revolution", 6),
    # third batch, written after the first two were measured: paraphrases with one word the text lacks
    ("stalin hated collective leadership", 1),
    ("stalin did not allow collegiality", 1),
    ("the idea of enemies of the people", 3),
    ("confessions obtained by physical pressure", 3),
    ("innocent people who defended the party line became victims", 4),
    ("the commission looked at nkvd archives", 5),
    ("lenin only used harsh methods when necessary", 6),
    ("stalin used mass repression after the revolution had won", 7),
    ("he showed intolerance and brutality", 7),
    ("people were branded as enemies in 1937", 5),
    ("honest communists charged themselves with crimes", 5),
    ("stalin demanded total submission", 2),
    ("many party leaders died after the 17th congress", 2),
    ("khrushchev says stalin abused his power", 7),
    ("enemy of the people concept made proof unnecessary", 3),
    ("cruel repression against anyone who disagreed", 3),
    ("tortured into confessing crimes", 5),
    ("lenin vs stalin methods", 6),
    ("the state was strengthened and the revolution victorious", 7),
    ("collegiality in work", 1),
]

OFF_TOPIC: list[str] = [
    # recipes, sport, everyday life
    "how to bake sourdough bread",
    "chocolate chip cookie recipe",
    "spaghetti carbonara with eggs and bacon",
    "recipe for chicken soup with vegetables",
    "who won the world cup in 2018",
    "premier league football results",
    "basketball playoffs score",
    "iPhone 15 pro max price",
    "photosynthesis in plants",
    "the weather tomorrow",
    # gibberish
    "xyzzy",
    "asdfghjkl",
    "qwerty uiop",
    "lorem ipsum dolor sit amet",
    "zzzzzzzz",
    "1234567",
    "k",
    "😀🎉",
    # names that are not in the text
    "Trotsky",
    "Beria",
    "Molotov",
    "Zhukov",
    "Kirov",
    "Hitler",
    "Churchill",
    "Mao",
    "Trotsky exile in Mexico",
    "Beria and the secret police",
    "Molotov-Ribbentrop pact",
    "Marshal Zhukov and the battle of Berlin",
    "the murder of Kirov",
    "Hitler invasion of Poland",
    "Churchill iron curtain",
    "Mao Zedong",
    "Gorbachev perestroika glasnost",
    # other history topics
    "French revolution storming of the Bastille",
    "Cuban missile crisis",
    "Napoleon at Waterloo",
    "the cuban missile crisis",
    "fall of the berlin wall",
    "moon landing 1969",
    "kennedy assassination",
    "stalingrad battle",
    "gulag camps siberia",
    "chernobyl disaster",
    "perestroika gorbachev",
    "karl marx das kapital",
    "soviet space program sputnik",
    "communist china under mao",
    "hitler invades poland",
    "the marshall plan",
    "iron curtain speech churchill",
    "prague spring 1968",
    "trotsky exile mexico",
    "who succeeded khrushchev",
    "solve quadratic equations",
    "industrial revolution factories",
    "fall of the Roman empire",
    "Hiroshima atomic bomb",
    "Berlin wall 1989",
    "cold war nuclear arms race",
    "Martin Luther King I have a dream",
    "Stalingrad",
    # single common words
    "the",
    "and",
    "hello",
    "yes",
    "water",
    "computer",
]


def _first_paragraph(library: Library, query: str) -> int | None:
    hits = library.search(query, limit=1)
    return hits[0].paragraph if hits else None


def test_query_set_is_large_enough_to_mean_something() -> None:
    assert len(ON_TOPIC) >= 100
    assert len(OFF_TOPIC) >= 30
    assert len({q for q, _ in ON_TOPIC}) == len(ON_TOPIC)
    assert len(set(OFF_TOPIC)) == len(OFF_TOPIC)


def test_on_topic_queries_find_the_right_paragraph_first(library: Library) -> None:
    failures = []
    for query, paragraph in ON_TOPIC:
        found = _first_paragraph(library, query)
        if found != paragraph:
            failures.append(f"{query!r}: expected {paragraph}, got {found}")
    right = len(ON_TOPIC) - len(failures)
    share = right / len(ON_TOPIC)
    print(f"\non-topic: {right}/{len(ON_TOPIC)} = {share:.1%} right paragraph first")
    assert share >= ON_TOPIC_BAR, f"on-topic {share:.1%} < {ON_TOPIC_BAR:.0%}; failing: " + "; ".join(failures)


def test_off_topic_queries_return_no_hits(library: Library) -> None:
    leaked = []
    for query in OFF_TOPIC:
        hits = library.search(query)
        if hits:
            leaked.append(f"{query!r} -> {hits[0].ref} (score {hits[0].score})")
    rejected = len(OFF_TOPIC) - len(leaked)
    print(f"\noff-topic: {rejected}/{len(OFF_TOPIC)} = {rejected / len(OFF_TOPIC):.1%} rejected")
    assert not leaked, "off-topic queries returned hits: " + "; ".join(leaked)


def test_a_foreign_topic_word_beside_words_the_text_has_still_finds_them(library: Library) -> None:
    """A deliberate trade-off: one word the text lacks is read as misremembered, not as a change of topic.

    So "the American civil war" finds the speech's "civil war" (paragraph 6), the price of accepting
    half-remembered phrases such as "stalin did not allow collegiality".
    """
    assert library.search("the American civil war")[0].ref == "6.1"
