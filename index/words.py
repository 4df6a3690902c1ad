"""The word lists of newsdesk, one per concept (all lower-case, accents stripped): used by
indexing (who said what) and by question reading alike, so the two never disagree."""

from __future__ import annotations

import re


def word_set(text: str) -> frozenset[str]:
    """The set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


DETERMINERS = word_set("the a an this that these those")

# Words that precede a subject in its clause but are not part of it.
LEADING_JUNK = word_set(
    "and but or so yet though although while as when whereas because since however meanwhile "
    "then also still even instead where which who"
)

POSSESSIVES = word_set("its his her their our my your")
PREPOSITIONS = word_set("from of in at for with to by on about into close near than")

PRONOUNS_PERSON = word_set("he she")
PRONOUNS_GROUP = word_set("they")
# What marks a person as a man or a woman within one article: the pronouns that follow a
# mention of them, and the titles they are given ("he said" goes to a man).
PRONOUNS_BY_GENDER = {"m": word_set("he him his himself"), "f": word_set("she her hers herself")}
# Common English given names (the most frequent in US birth records, with their short forms),
# a person's gender when the article itself gives no pronoun: "Chuck Schumer" is no "she".
GIVEN_NAMES_BY_GENDER = {
    "m": word_set(
        "james john robert michael mike william bill david dave richard rick joseph joe thomas "
        "tom charles chuck charlie christopher daniel dan matthew matt anthony tony mark "
        "donald don steven steve paul andrew andy joshua josh kenneth ken kevin brian george "
        "timothy tim ronald ron edward ed jason jeffrey jeff ryan jacob gary nicholas nick eric "
        "jonathan stephen larry justin scott brandon benjamin ben samuel sam gregory greg "
        "alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry "
        "douglas doug zachary peter pete kyle noah ethan jeremy walter christian keith roger "
        "terry austin sean gerald carl harold dylan arthur lawrence jesse bryan billy "
        "bruce gabriel joe logan albert willie alan eugene russell vincent philip phil bobby "
        "johnny bradley brad mitch mitchell marco ted kevin hunter barack vladimir "
        "volodymyr xi emmanuel boris rishi olaf justin narendra benjamin bernie elon jeffrey "
        "kanye lebron tiger mohammed muhammad ahmed hassan ivan sergei dmitry oleksandr "
        "luiz lula pedro carlos juan luis jorge miguel francisco antonio giuseppe pierre "
        "hans klaus"
    ),
    "f": word_set(
        "mary patricia jennifer linda elizabeth liz barbara susan jessica sarah karen lisa "
        "nancy betty margaret sandra ashley kimberly emily donna michelle carol amanda "
        "dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen kathy amy "
        "angela shirley anna ann anne brenda pamela emma nicole helen samantha katherine kate "
        "christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia "
        "joyce virginia victoria lauren christina joan evelyn judith megan cheryl "
        "hannah jacqueline martha gloria teresa sara madison frances kathryn janice abigail "
        "alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa "
        "diana natalie brittany charlotte marie kayla lori amelia kasie hillary kamala "
        "nikki marjorie lauren ursula giorgia liz theresa jacinda angela sanna kaja melania "
        "jill michelle beyonce oprah serena simone ruth sonia elena ketanji nancy "
        "alexandria ilhan rashida katie jane janet gina kristi kari tulsi"
    ),
}
TITLES_BY_GENDER = {
    "m": word_set("mr sir lord king prince duke spokesman chairman congressman councilman"),
    "f": word_set(
        "mrs ms miss dame lady queen princess duchess spokeswoman chairwoman congresswoman "
        "councilwoman"
    ),
}

# Title and role words: dropped from names, and used to resolve "the general".
TITLES = word_set(
    "president vice prime first minister deputy secretary chancellor general gen lt col maj capt "
    "adm sgt cmdr commander chief ceo cfo coo chairman chairwoman chair director spokesman "
    "spokeswoman spokesperson mr mrs ms dr prof professor rep sen gov senator governor mayor "
    "judge justice attorney coach forward guard officer sheriff pope king queen prince princess "
    "duke duchess lord lady sir dame ambassador envoy premier leader speaker marshal admiral "
    "colonel captain lieutenant sergeant detective inspector superintendent commissioner "
    "councilman councilwoman councilor congressman congresswoman representative minority majority "
    "executive founder president-elect ex former late top head analyst economist author editor "
    "manager owner pm striker quarterback pitcher midfielder defender goalkeeper st"
)

# The title words that only qualify another ("former", "vice", "first lady"): dropped from
# names like every title, but no kind of person on their own ("which former ...").
TITLE_MODIFIERS = word_set(
    "vice prime first deputy ex former late top head minority majority president-elect"
)

# Words that never name a speaker, though capitalised before or after a reporting verb:
# "I", days and months ("“...,” said Thursday", "“I believe ...,” Romney said").
NOT_SPEAKERS = word_set(
    "i we you me us today yesterday tonight monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec "
    # prepositions that open a sentence: "Amid reports that ..." names no one
    "amid amidst despite during after before following among under"
)

# Common nouns that can head a speaker phrase: "Ukrainian officials", "the monitoring group".
GROUP_NOUNS = word_set(
    "officials official authorities police spokesperson spokesman spokeswoman leaders leader "
    "experts analysts observers advocates critics residents group ministry government company "
    "source sources people couple members member commanders officers investigators prosecutors "
    "lawyers lawyer attorneys doctors scientists researchers witnesses campaign office agency "
    "department website statement report survey study team party parties committee council court "
    "military army forces media outlet newspaper network agency board family families parents "
    "organizers organisers representatives spokespeople administration coalition union unions "
    "association regulators lawmakers legislators senators democrats republicans voters fans "
    "insiders aides aide staff staffers employees workers protesters activists officers "
    "president general minister governor mayor senator coach person analytics economists "
    "papers documents filings mp mps release obituary schedule records university college "
    "hospital school bank center centre institute foundation commission club league federation"
)

# The heads of a speaker phrase that name a document ("the report said"): a statement's
# speaker type "other".
DOCUMENT_NOUNS = word_set(
    "statement report survey study poll website post tweet release obituary schedule records "
    "papers documents filings data analysis article letter memo filing complaint lawsuit"
)
# The heads of a speaker phrase that name people ("Ukrainian officials"): speaker type
# "person", though not one person; every other collective is an "organisation".
PEOPLE_NOUNS = word_set(
    "officials official experts analysts observers advocates critics residents people couple "
    "members member commanders officers investigators prosecutors lawyers lawyer attorneys "
    "doctors scientists researchers witnesses leaders leader sources source aides aide staff "
    "staffers employees workers protesters activists fans voters insiders lawmakers legislators "
    "senators democrats republicans economists mp mps spokesperson spokesman spokeswoman "
    "spokespeople representatives organizers organisers parents families family person"
)

# Words after a group noun that qualify it: "people briefed on the matter", "sources familiar
# with the plan".
GROUP_QUALIFIERS = word_set(
    "familiar briefed close knowledgeable involved with in at from on for who"
)
# Parties, which describe a person before their name ("Pennsylvania Republican Scott Perry").
PARTIES = word_set("republican democrat democratic gop labour conservative liberal")

# Countries and territories, which speak as states ("Israel said"): a name that is one of
# them is no person. Left out: those that are also common given names or surnames (Jordan,
# Chad, Georgia), so "Jordan said" can still be Rep. Jim Jordan.
COUNTRIES = word_set(
    "afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan "
    "bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia "
    "botswana brazil brunei bulgaria burkina burundi cambodia cameroon canada chile china "
    "colombia comoros congo croatia cuba cyprus czechia denmark djibouti dominica ecuador egypt "
    "eritrea estonia eswatini ethiopia fiji finland france gabon gambia germany ghana greece "
    "grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia iran iraq "
    "ireland israel italy jamaica japan kazakhstan kenya kiribati kosovo kuwait kyrgyzstan laos "
    "latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar malawi "
    "malaysia maldives mali malta mauritania mauritius mexico micronesia moldova monaco mongolia "
    "montenegro morocco mozambique myanmar namibia nauru nepal netherlands nicaragua niger "
    "nigeria norway oman pakistan palau palestine panama paraguay peru philippines poland "
    "portugal qatar romania russia rwanda samoa senegal serbia seychelles singapore slovakia "
    "slovenia somalia spain sudan suriname sweden switzerland syria taiwan tajikistan tanzania "
    "thailand togo tonga tunisia turkey turkmenistan tuvalu uganda ukraine uruguay uzbekistan "
    "vanuatu venezuela vietnam yemen zambia zimbabwe britain england scotland wales gaza"
)
COUNTRY_PHRASES = frozenset(
    {
        "united states",
        "the united states",
        "united kingdom",
        "the united kingdom",
        "north korea",
        "south korea",
        "south africa",
        "saudi arabia",
        "new zealand",
        "sri lanka",
        "costa rica",
        "el salvador",
        "the netherlands",
        "the philippines",
        "united arab emirates",
        "the united arab emirates",
        "hong kong",
        "east timor",
        "ivory coast",
        "sierra leone",
        "papua new guinea",
        "north macedonia",
        "vatican city",
    }
)

# Words that make a capitalised name an organisation.
ORG_WORDS = word_set(
    "ministry department police commission survey foundation party committee office university "
    "agency association council court inc corp co ltd group news times post center centre "
    "service house army forces company bank institute administration campaign network union "
    "league federation fund board bureau authority organization organisation trust school "
    "hospital club society guard coalition alliance press journal magazine website reuters "
    "cnn bbc nbc cbs abc fox ap afp bloomberg kremlin pentagon analytics government ministry "
    "state states republic nations navy politico axios guardian telegraph independent herald "
    "tribune gazette chronicle usa church synagogue mosque temple archive museum library "
    "brotherhood"
)

# "a statement from", "a new survey by": dropped before the real source.
SOURCE_PREFIX = re.compile(
    r"(?:an?|the)\s+(?:new\s+|recent\s+|joint\s+|written\s+)?"
    r"(?:statement|survey|report|study|post|tweet|interview|release|filing|poll|analysis)"
    r"\s+(?:from|by|of)\s+",
    re.IGNORECASE,
)

# Reporting verbs as they mark a statement in running text ("X said", "X warned"): the cues
# of statements at indexing time, and after a name the sign that it names a person. Two-word
# cues ("pointed out") are listed as phrases.
REPORTING_VERBS = word_set(
    "said says say told tells added adds noted notes note asserted asserts insisted insists insist "
    "argued argues argue claimed claims claim stated states warned warns warn explained explains "
    "described describes echoed echoes highlighted highlights emphasized emphasised emphasizes "
    "acknowledged acknowledges confirmed confirms confirm reported reports announced announces "
    "wrote writes tweeted posted suggested suggests maintained maintains maintain contended "
    "stressed stresses denied denies admitted admits urged urges predicted predicts alleged "
    "alleges countered recalled conceded concede declared declares testified indicated continued "
    "downplayed cautioned vowed promised replied responded believes believe estimated concluded "
    "asked"
)
REPORTING_PHRASES = (
    "pointed to",
    "pointed out",
    "points to",
    "points out",
    "pushed back",
    "pushes back",
)
# The same as a regex alternation (longest first, so that a phrase wins over a word).
VERBS = "|".join(sorted((*REPORTING_VERBS, *REPORTING_PHRASES), key=lambda v: (-len(v), v)))
# The forms a question puts after "did X" or "has X" ("What did X tell ...?"): the reporting
# verbs and the bare infinitives running text rarely uses as cues.
ASKED_REPORTING_VERBS = REPORTING_VERBS | word_set(
    "saying tell state assert announce suggest predict promise"
)
# Reporting verbs as participles that add a second statement to the one before ("“...,” Harris
# said, adding that ...").
PARTICIPLE_CUES = word_set(
    "adding noting saying warning arguing insisting stressing explaining claiming"
)
AUX = (
    r"(?:(?:has|have|had|did|does|do|also|previously|reportedly|later|then|again|repeatedly|"
    r"strongly|publicly|recently|once|further|would|will|could|may|might|not|just|only|"
    r"initially|first|separately|earlier|privately|quickly|originally)\s+)*"
)
# Words allowed between a cue and "that": "said on Monday in a statement that".
BRIDGE = word_set(
    "of the in on at a an last this during statement interview email reporters journalists "
    "press conference news release week month year night morning afternoon evening earlier "
    "later also publicly privately told post social media"
)
NOUN_LIKE_CUES = word_set("reports highlights notes claims states points says")
NOT_AFTER_VERB = word_set("from of in on for about by with")
VERBISH = word_set("did does do has have had is are was were will would can could declined refused")

# "the agency", "the company": the words in an organisation's name that fit each noun, for
# when no earlier name contains the noun itself ("the agency": "Department of Social Services").
ORG_NOUN_FITS: dict[str, frozenset[str]] = {
    noun: word_set(fits)
    for noun, fits in {
        "agency": "agency department service services office administration commission bureau "
        "authority",
        "department": "department ministry office agency",
        "ministry": "ministry department",
        "office": "office department agency bureau",
        "company": "company inc corp co ltd llc plc corporation group holdings",
        "firm": "firm company inc corp co ltd llc plc corporation group holdings partners",
        "university": "university college",
        "college": "college university",
        "school": "school schools academy",
        "district": "district schools",
        "hospital": "hospital clinic medical",
    }.items()
}
