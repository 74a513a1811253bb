"""Write a deterministic synthetic library (about 10 MB of prose) for the search and startup benchmarks.

Sentences come from two sources, both seeded with a fixed seed so every run writes the same bytes:
a word-level Markov chain over the seed speech (speech-like sentences that reuse its phrases, so the
seed's own sentences must win against near-duplicates), and a template generator that mixes English
function words with content words drawn, Zipf-distributed, from the seed's vocabulary, a list of common
English words and a long tail of made-up words (so the vocabulary has the tens of thousands of
distinct words a real library of this size has). No downloads.

    python bench/corpus_gen.py OUT_DIR [--megabytes 10] [--seed 1956]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
from bisect import bisect
from collections import defaultdict
from pathlib import Path

SEED_TEXT = Path(__file__).resolve().parents[1] / "seeds" / "secret-speech-1956.txt"


def words(text: str) -> list[str]:
    """A word list written as running text, for readability."""
    return text.split()


FUNCTION_WORDS = words(
    """the of and to a in that is was he for it with as his on be at by had not are but from or
have an they which one you were her all she there would their we him been has when who will more no if out
so said what up its about into than them can only other new some could time these two may then do first
any my now such like our over man me even most made after also did many before must through back years
where much your way well down should because each just those people how too little state good very make
world still own see men work long get here between both life being under never day same another know while
last might us great old year off come since against go came right used take three"""
)

COMMON_WORDS = words(
    """government country history power party war law policy order system question city school
church family army state nation leader council committee member office decision report letter problem
question meeting village market factory worker farmer soldier officer teacher student writer doctor judge
court prison trial witness evidence crime punishment freedom right duty reform progress plan program
industry agriculture production harvest grain bread coal steel railway river mountain forest field road
bridge harbour ship port border province region capital empire kingdom republic revolution movement
strike protest election vote debate speech newspaper book article letter story poem theatre music
painting science theory method result experiment discovery invention machine engine telegraph telephone
electricity light water fire earth air winter summer spring autumn morning evening night week month
century generation memory future past present truth error doubt fear hope anger courage loyalty betrayal
victory defeat peace treaty alliance enemy friend ally neighbour stranger family mother father brother
sister son daughter child wife husband house room door window table chair garden street square station
hospital university library museum archive document record census tax budget money price wage debt
trade export import company bank office clerk minister secretary president chairman general colonel
captain sergeant private regiment division front line attack retreat siege supply weapon rifle cannon
tank aircraft fleet navy camp exile arrest sentence verdict appeal pardon amnesty rehabilitation
decree resolution congress conference plenum session delegate speaker audience applause silence
careful serious important difficult possible necessary certain clear simple strong weak rich poor young
old early late large small high low long short true false public private national local foreign
economic political social military cultural religious moral legal natural human personal general
special major minor central northern southern eastern western ancient modern recent final whole
wrote spoke argued believed decided declared demanded denied described discovered explained failed
followed gathered happened helped hoped insisted joined knew learned lived moved needed noticed
offered ordered planned promised proposed reached received refused remained replied returned
seemed signed started stayed supported talked tried turned visited waited walked wanted watched
worked built carried changed closed counted covered crossed defended destroyed divided entered
expected finished formed founded governed ignored improved increased invited limited opened
organised praised prepared produced published raised recorded reduced removed repeated served
settled shared showed studied suffered treated trusted united"""
)

CONSONANTS = words("b c d f g h j k l m n p r s t v w z br ch cr dr gr kr pl pr sh sk sl st str tr")
VOWELS = words("a e i o u a e i o ai ei ou ia")
ENDINGS = words("a an ar ed el en er es ev ia ic ik in ine ing ion is ism ist ity ko ov sk ski ul um us y")


def made_up_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable invented words for the long tail of the vocabulary."""
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        words.add(word + rng.choice(ENDINGS))
    return sorted(words)


def seed_words(text: str) -> list[str]:
    """The seed's body as a list of tokens: words and the punctuation that shapes sentences."""
    body = text.split("* * * *", 1)[-1]
    return re.findall(r"[A-Za-z][A-Za-z'\-]*|[.,;]", body)


class Generator:
    """Produces sentences, paragraphs and whole documents from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        tokens = seed_words(SEED_TEXT.read_text(encoding="utf-8"))
        self.chain: dict[str, list[str]] = defaultdict(list)
        for current, following in itertools.pairwise(tokens):
            self.chain[current.lower()].append(following)
        self.starts = [following for current, following in itertools.pairwise(tokens) if current == "."]
        seed_vocab = sorted({t.lower() for t in tokens if t[0].isalpha()} - set(FUNCTION_WORDS))
        real = sorted(set(seed_vocab + COMMON_WORDS))
        self.rng.shuffle(real)
        # Real words take the frequent ranks, invented ones the long tail.
        content = real + made_up_words(self.rng, 40_000)
        weights = [1 / ((rank + 10) ** 1.0) for rank in range(1, len(content) + 1)]
        self.content = content
        self.content_cum = list(itertools.accumulate(weights))
        self.names = [w.capitalize() for w in made_up_words(self.rng, 3_000)]

    def content_word(self) -> str:
        """A content word, frequent ones far more often than rare ones."""
        return self.content[bisect(self.content_cum, self.rng.random() * self.content_cum[-1])]

    def template_sentence(self) -> str:
        """Function and content words in a loose English rhythm, with commas and a closing period."""
        rng = self.rng
        length = rng.randint(8, 34)
        words: list[str] = []
        for position in range(length):
            roll = rng.random()
            if roll < 0.42:
                words.append(rng.choice(FUNCTION_WORDS))
            elif roll < 0.47:
                words.append(rng.choice(self.names))
            else:
                words.append(self.content_word())
            if position and position < length - 2 and rng.random() < 0.06:
                words[-1] += ","
        if rng.random() < 0.05:
            words.insert(rng.randint(1, len(words) - 1), f"[{rng.randint(1900, 1990)}]")
        return words[0].capitalize() + " " + " ".join(words[1:]).rstrip(",") + "."

    def markov_sentence(self) -> str:
        """A sentence that wanders through the seed's own word pairs."""
        rng = self.rng
        words = [rng.choice(self.starts)]
        while len(words) < 60:
            following = rng.choice(self.chain.get(words[-1].lower(), ["."]))
            if following == ".":
                if len(words) >= 6:
                    break
                following = self.content_word()
            words.append(following)
        text = " ".join(words).replace(" ,", ",").replace(" ;", ";")
        return text[0].upper() + text[1:].rstrip(",;") + "."

    def paragraph(self) -> str:
        """Two to seven sentences, a quarter of them speech-like."""
        count = self.rng.randint(2, 7)
        return " ".join(
            self.markov_sentence() if self.rng.random() < 0.25 else self.template_sentence() for _ in range(count)
        )

    def document(self, number: int, size: int) -> str:
        """A titled text with an editor's note, a separator and about `size` bytes of body."""
        title = f"Synthetic Reader {number:03d}: " + " ".join(self.content_word().capitalize() for _ in range(3))
        note = "Editor's note. " + " ".join(self.template_sentence() for _ in range(2))
        parts = [title, "", note, "", "* * * *", ""]
        written = 0
        while written < size:
            paragraph = self.paragraph()
            # Hard-wrap like a scanned text, so loading has lines to join.
            wrapped = re.sub(r"(.{60,78}) ", "\\1\n", paragraph)
            parts.extend([wrapped, ""])
            written += len(paragraph) + 2
        return "\n".join(parts)


def generate(out_dir: Path, *, megabytes: float = 10.0, seed: int = 1956, files: int = 40) -> list[Path]:
    """Write the library into `out_dir` (replacing earlier synthetic files) and return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("synthetic-*.txt"):
        old.unlink()
    generator = Generator(seed)
    per_file = int(megabytes * 1_000_000 / files)
    paths = []
    for number in range(1, files + 1):
        path = out_dir / f"synthetic-{number:03d}.txt"
        path.write_text(generator.document(number, per_file), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1956)
    args = parser.parse_args()
    paths = generate(args.out_dir, megabytes=args.megabytes, seed=args.seed)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total / 1e6:.1f} MB, into {args.out_dir}")


if __name__ == "__main__":
    main()
