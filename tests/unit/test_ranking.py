"""Ranking passages for a question (chat/ranking.py, BM25) against today's word overlap
(usecases.best_part's measure), on a small labelled set in English, Spanish, French and
Portuguese: recall@1 and recall@3 are printed (pytest -s) and BM25 must do at least as well.
The questions are written as people ask them: other word forms, no accents, many small words."""

from __future__ import annotations

import re

import pytest

from tabula.chat import ranking

# language: (passages, [(question, index of the passage that answers it)])
LABELLED = {
    "en": (
        [
            "What to do when the child has a fever: give paracetamol and plenty of water, and check the temperature every four hours.",
            "Vaccines are given at the clinic on Tuesdays. Bring the vaccination card for every child.",
            "Malaria: use the rapid test first. A positive test is treated with artemisinin tablets for three days.",
            "Wash your hands with soap before meals and after using the toilet. It stops most infections.",
            "What a parent should know about the clinic: it opens at eight and it is free for children.",
            "Snake bites: keep the person still, remove rings, and carry them to the hospital. Do not cut the wound.",
        ],
        [
            ("What should I do if a snake bit someone?", 5),
            ("How is malaria treated?", 2),
            ("On which day are the vaccinations?", 1),
            ("When should I give paracetamol for a fever?", 0),
            ("Why wash hands with soap?", 3),
            ("What time does it open and what does it cost?", 4),
        ],
    ),
    "es": (
        [
            "La fiebre en los niños: dar paracetamol y mucha agua, y tomar la temperatura cada cuatro horas.",
            "Las vacunas se ponen en el centro de salud los martes. Hay que traer la cartilla de vacunación.",
            "Malaria: hacer primero la prueba rápida. Una prueba positiva se trata con artemisinina durante tres días.",
            "Lavarse las manos con jabón antes de comer y después de ir al baño evita la mayoría de las infecciones.",
            "El centro de salud abre a las ocho y es gratuito para los niños y las niñas que lo necesitan.",
            "Mordedura de serpiente: mantener a la persona quieta, quitar los anillos y llevarla al hospital.",
        ],
        [
            ("¿Que hago si una serpiente muerde a alguien?", 5),
            ("¿Como se trata la malaria?", 2),
            ("¿Qué día ponen las vacunas?", 1),
            ("¿Cuándo doy paracetamol para la fiebre?", 0),
            ("¿Por que lavarse las manos con jabon?", 3),
            ("¿A que hora abre el centro y cuanto cuesta para los niños?", 4),
        ],
    ),
    "fr": (
        [
            "La fièvre chez l'enfant : donner du paracétamol et beaucoup d'eau, et prendre la température toutes les quatre heures.",
            "Les vaccins sont faits au centre de santé le mardi. Il faut apporter le carnet de vaccination.",
            "Paludisme : faire d'abord le test rapide. Un test positif est traité par artémisinine pendant trois jours.",
            "Se laver les mains avec du savon avant les repas et après les toilettes évite la plupart des infections.",
            "Le centre de santé ouvre à huit heures et il est gratuit pour les enfants de la commune.",
            "Morsure de serpent : garder la personne immobile, enlever les bagues et la porter à l'hôpital.",
        ],
        [
            ("Que faire si un serpent a mordu quelqu'un ?", 5),
            ("Comment traiter le paludisme ?", 2),
            ("Quel jour sont les vaccinations ?", 1),
            ("Quand donner du paracetamol pour la fievre ?", 0),
            ("Pourquoi se laver les mains avec du savon ?", 3),
            ("A quelle heure ouvre le centre pour les enfants ?", 4),
        ],
    ),
    "pt": (
        [
            "Febre na criança: dar paracetamol e muita água, e medir a temperatura a cada quatro horas.",
            "As vacinas são dadas no posto de saúde às terças. É preciso trazer o cartão de vacinação.",
            "Malária: fazer primeiro o teste rápido. Um teste positivo é tratado com artemisinina durante três dias.",
            "Lavar as mãos com sabão antes das refeições e depois do banheiro evita a maioria das infecções.",
            "O posto de saúde abre às oito e é gratuito para as crianças da comunidade.",
            "Mordida de cobra: manter a pessoa parada, tirar os anéis e levar ao hospital.",
        ],
        [
            ("O que fazer se uma cobra mordeu alguem?", 5),
            ("Como se trata a malaria?", 2),
            ("Em que dia sao as vacinas?", 1),
            ("Quando dar paracetamol para a febre?", 0),
            ("Por que lavar as maos com sabao?", 3),
            ("A que horas abre o posto para as crianças?", 4),
        ],
    ),
}
_WORD = re.compile(r"\w{3,}")


def overlap_order(passages: list[str], question: str) -> list[int]:
    """Today's measure (usecases.best_part): distinct shared 3+ letter words, first on ties."""
    wanted = {w.lower() for w in _WORD.findall(question)}
    shared = [len(wanted & {w.lower() for w in _WORD.findall(p)}) for p in passages]
    return sorted(range(len(passages)), key=lambda i: (-shared[i], i))


def recall(order, lang: str, k: int) -> float:
    passages, questions = LABELLED[lang]
    return sum(answer in order(passages, q)[:k] for q, answer in questions) / len(questions)


@pytest.mark.parametrize("lang", sorted(LABELLED))
def test_bm25_finds_the_answer_at_least_as_often_as_word_overlap(lang: str) -> None:
    bm25 = {k: recall(ranking.rank, lang, k) for k in (1, 3)}
    overlap = {k: recall(overlap_order, lang, k) for k in (1, 3)}
    print(
        f"\n{lang}: BM25 recall@1 {bm25[1]:.2f} @3 {bm25[3]:.2f} · overlap recall@1 {overlap[1]:.2f} @3 {overlap[3]:.2f}"
    )
    assert bm25[1] >= overlap[1] and bm25[3] >= overlap[3]
    assert bm25[3] == 1.0 and bm25[1] >= 0.8


@pytest.mark.parametrize("lang", sorted(LABELLED))
def test_the_language_is_told_by_its_stop_words(lang: str) -> None:
    passages, _ = LABELLED[lang]
    assert ranking.language(" ".join(passages)) == lang


def test_accents_and_case_are_folded_and_stop_words_left_out() -> None:
    assert ranking.fold("Qué DOSIS, Paracétamol") == "que dosis, paracetamol"
    assert ranking.terms("¿Cuál es la dosis de los niños?", "es") == ["dosi", "nino"]


def test_a_rare_word_outweighs_many_common_ones() -> None:
    passages = ["the child and the clinic and the child", "amoxicillin for the child", "the clinic"]
    assert ranking.rank(passages, "amoxicillin for a child at the clinic")[0] == 1
