"""Stop words for ranking (chat/ranking.py) in English, Spanish, French and Portuguese: the short,
frequent words that say nothing about which part of a document answers a question. Written
accent-folded and lower-case, as ranking.fold() leaves words. Data only; imports nothing.

Each list is the core of the Snowball project's list for that language (BSD), trimmed to the
words that survive folding and are two letters or more.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN = _words(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves get got tell please"""
)
ES = _words(
    """a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde
    durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado
    estan estar este esto estos fue fueron ha habia han has hasta hay la las le les lo los mas me mi
    mis mucho muy nada ni no nos nosotros o os otra otras otro otros para pero poco por porque que
    quien quienes se sea ser si sin sobre son su sus tambien te tiene tienen todo todos tu tus un
    una uno unos usted ustedes y ya yo debe deben puede pueden hacer"""
)
FR = _words(
    """a ai au aux avec avez avons ce ces cet cette dans de des du elle elles en est et etaient etait
    ete etre eu il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on
    ont ou par pas pour qu que quel quelle quelles quels qui sa sans se ses si son sont sur ta te tes
    toi ton tu un une vos votre vous y doit doivent peut peuvent faire comment quand combien"""
)
PT = _words(
    """a ao aos as com como da das de dela dele deles depois do dos e ela elas ele eles em entre era
    essa esse esta estao este eu foi for foram ha isso isto ja lhe lhes mais mas me mesmo meu minha
    muito na nas nao no nos nossa nosso num numa o os ou para pela pelas pelo pelos por qual quando
    que quem se sem ser seu seus so sua suas tambem te tem tu um uma voce voces deve devem pode podem
    fazer"""
)
BY_LANGUAGE = {"en": EN, "es": ES, "fr": FR, "pt": PT}
