package x

import "strings"

// Top-level domains a link written without a scheme may end with (see
// extractURLs). Links with a scheme need no list.
//
// countryCodes is every two-letter country code top-level domain in the
// root zone (ISO 3166-1 alpha-2 and the delegated exceptions ac, eu, su,
// uk) and the common internationalized ones. topLevelDomains is the
// original generic domains and a selection of the new generic ones that
// people actually link to; twitter-text's own list (validGTLD.js) has some
// 1,500, mostly brands, and a bare domain under one of the others is
// counted as text, i.e. at worst as longer than X counts it.
var (
	countryCodes    = set(ccTLDs)
	topLevelDomains = set(gTLDs)
)

const ccTLDs = `
ac ad ae af ag ai al am ao aq ar as at au aw ax az
ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt bv bw by bz
ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz
de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr
ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy
hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp
ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly
ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz
na nc ne nf ng ni nl no np nr nu nz om
pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw
sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz
tc td tf tg th tj tk tl tm tn to tr tt tv tw tz
ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
рф укр срб бел қаз мон мкд бг ею ελ ευ հայ გე
中国 中國 香港 澳門 台灣 台湾 新加坡 한국 ไทย ລາວ
پاکستان ایران مصر قطر عمان عراق سورية سودان تونس الجزائر المغرب
السعودية امارات البحرين الاردن فلسطين مليسيا موريتانيا
भारत ভারত বাংলা ભારત ਭਾਰਤ இந்தியா இலங்கை சிங்கப்பூர் ලංකා
`

const gTLDs = `
com net org edu gov mil int arpa
aero asia biz cat coop info jobs mobi museum name post pro tel travel xxx
academy accountant accountants actor adult agency airforce apartments app
archi army art associates attorney auction audio auto autos baby band bank
bar bargains beauty beer berlin best bet bible bike bingo bio black blog blue
boats bond book boston boutique box broker build builders business buzz bzh
cab cafe cam camera camp capetown capital car cards care career careers cars
casa cash casino catering center ceo charity chat cheap christmas church city
claims cleaning click clinic clothing cloud club coach codes coffee college
community company computer condos construction consulting contact
contractors cooking cool corsica country coupons courses credit creditcard
cricket cruises cymru cyou dad dance data date dating day deals degree
delivery democrat dental dentist design dev diamonds diet digital direct
directory discount doctor dog domains download earth eco education email
energy engineer engineering enterprises equipment estate eus events exchange
expert exposed express fail faith family fan fans farm fashion fast feedback
film final finance financial fish fishing fit fitness flights florist flowers
fly foo food football forsale forum foundation free frl fun fund furniture
futbol fyi gal gallery game games garden gay gift gifts gives giving glass
global gmbh gold golf graphics gratis green gripe group guide guitars guru
hair hamburg health healthcare help hiphop hiv hockey holdings holiday homes
horse hospital host hosting hot house how icu immo immobilien inc industries
ink institute insure international investments irish jetzt jewelry juegos
kaufen kim kitchen kiwi koeln kyoto land lat law lawyer lease legal lgbt life
lighting limited limo link live llc llp loan loans lol london love ltd ltda
luxe luxury madrid maison makeup management map market marketing markets mba
med media meet melbourne meme memorial men menu miami mobile moda moe mom
money monster mortgage moscow motorcycles mov movie nagoya navy network new
news nexus ngo ninja now nrw nyc observer office okinawa one ong onl online
ooo organic osaka page paris partners parts party pet phd photo photography
photos pics pictures pink pizza place plumbing plus poker porn press prod
productions prof promo properties property pub quebec quest racing radio
realestate realty recipes red rehab reise reisen reit ren rent rentals repair
report republican rest restaurant review reviews rich rip rocks rodeo rsvp
ruhr run saarland sale salon sarl save scholarships school schule science
scot security select services sex sexy shiksha shoes shop shopping show
singles site ski skin soccer social software solar solutions soy space
sport spot srl storage store stream studio study style sucks supplies supply
support surf surgery swiss sydney systems taipei tattoo tax taxi team tech
technology tennis theater theatre tickets tienda tips tires tirol today
tokyo tools top tours town toys trade trading training tube university uno
vacations vegas ventures vet viajes video villas vin vip vision vlaanderen
vodka vote voting voto voyage wales wang watch webcam website wed wedding
wien wiki win wine work works world wtf xyz yachts yoga yokohama zone zuerich
онлайн сайт рус орг москва дети 在线 中文网 公司 网络 网址 网站 みんな コム
`

// set splits a whitespace-separated list into a set.
func set(list string) map[string]bool {
	m := make(map[string]bool)
	for _, s := range strings.Fields(list) {
		m[s] = true
	}
	return m
}
