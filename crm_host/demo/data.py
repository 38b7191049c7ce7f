"""A deterministic generator of realistic demo customers.

``generate_customers(count, seed=...)`` returns plain frozen dataclasses, not ORM rows,
so the same data can feed ``crm demo``, tests, screenshots and benchmarks. Everything is
drawn from one ``random.Random(seed)``: the global RNG and the clock are never used, so
a seed always yields the same list, and a shorter list is a prefix of a longer one.

The mix follows the company the demo imitates: about 85 % Chinese customers (names,
cities, postal codes, +86 phone numbers, ``zh_Hans``) and 15 % English-speaking ones
(GB, US, IE, AU, CA; ``en``); about 70 % persons and 30 % organisations. Every email is
on ``example.com`` / ``example.cn`` / ``example.org``. UK and North American phone
numbers come from the ranges reserved for drama and fiction; Chinese, Irish and
Australian numbers only have a valid shape.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

__all__ = [
    "ADDRESS_KINDS",
    "DEPARTMENTS",
    "EDUCATION_LEVELS",
    "INDUSTRIES",
    "LIFECYCLE_STAGES",
    "OCCUPATIONS",
    "REFERENCE_DATE",
    "TAGS",
    "TIERS",
    "DemoAddress",
    "DemoContact",
    "DemoCustomer",
    "generate_customers",
]

_T = TypeVar("_T")

#: Values of ``DemoCustomer.lifecycle_stage`` (the host's ``LifecycleStage`` values).
LIFECYCLE_STAGES: tuple[str, ...] = ("lead", "prospect", "customer", "inactive")
#: Values of ``DemoCustomer.tier`` besides ``None``.
TIERS: tuple[str, ...] = ("gold", "silver", "bronze")
#: Names of the responsible departments a demo customer can have.
DEPARTMENTS: tuple[str, ...] = ("Sales", "Service Centre", "Marketing", "Power Marketing")
#: Tags a demo customer can carry (0–3 of them).
TAGS: tuple[str, ...] = (
    "vip",
    "key-account",
    "new",
    "complaint-history",
    "energy-saving",
    "referral",
    "paperless-billing",
    "price-sensitive",
)
#: Industries of demo organisations.
INDUSTRIES: tuple[str, ...] = (
    "manufacturing",
    "steel",
    "chemicals",
    "data centre",
    "retail",
    "logistics",
    "hospitality",
    "hospital",
    "agriculture",
)
#: Values of ``DemoAddress.kind``.
ADDRESS_KINDS: tuple[str, ...] = ("billing", "service", "mailing")
#: Occupations of demo persons: language-neutral keywords, so segments work across locales.
OCCUPATIONS: tuple[str, ...] = (
    "engineer",
    "teacher",
    "doctor",
    "nurse",
    "accountant",
    "civil servant",
    "software developer",
    "sales representative",
    "factory worker",
    "driver",
    "farmer",
    "shop owner",
    "self-employed",
    "student",
    "retired",
)
#: Highest education of demo persons, lowest first.
EDUCATION_LEVELS: tuple[str, ...] = (
    "primary",
    "secondary",
    "vocational",
    "bachelor",
    "master",
    "doctorate",
)
#: Ages are computed against this fixed day rather than today, to stay deterministic.
REFERENCE_DATE = date(2026, 1, 1)


@dataclass(frozen=True)
class DemoContact:
    """A person to talk to at a demo organisation."""

    name: str
    title: str
    email: str | None
    phone: str | None
    is_primary: bool


@dataclass(frozen=True)
class DemoAddress:
    """A postal address of a demo customer."""

    kind: str  # "billing" | "service" | "mailing"
    line1: str
    city: str
    region: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class DemoCustomer:
    """One demo customer, shaped like the host's ``Customer`` with its children.

    ``parent_code`` refers to an organisation generated earlier in the same list, so
    rows can be inserted in list order. Phone numbers are E.164.
    """

    code: str
    kind: str  # "person" | "organization"
    name: str
    email: str | None
    phone: str | None
    city: str
    region: str
    lifecycle_stage: str
    tier: str | None
    gender: str | None
    birth_date: date | None
    occupation: str | None
    education: str | None
    preferred_language: str  # "zh_Hans" | "en"
    parent_code: str | None
    departments: tuple[str, ...]
    contacts: tuple[DemoContact, ...]
    addresses: tuple[DemoAddress, ...]
    tags: tuple[str, ...]
    industry: str | None


# --------------------------------------------------------------------------- mix

_PERSON_SHARE = 0.70
_CHINESE_SHARE = 0.85
_NO_EMAIL_SHARE = 0.10
_NO_PHONE_SHARE = 0.10
_SUBSIDIARY_SHARE = 0.18
_STAGE_WEIGHTS = (12, 18, 60, 10)  # lead, prospect, customer, inactive
# Industries that draw a lot of power: the Power Marketing department follows them.
_POWER_HUNGRY = frozenset({"manufacturing", "steel", "chemicals", "data centre"})
_INDUSTRY_WEIGHTS = (24, 8, 8, 6, 18, 10, 7, 8, 11)  # aligned with INDUSTRIES

# --------------------------------------------------------------------------- China


@dataclass(frozen=True)
class _CnCity:
    short: str  # as used inside organisation names: 杭州
    region: str  # province-level division: 浙江省, 北京市
    postal_prefix: str  # first four digits of the city's postal codes
    area_code: str  # trunk code without the leading 0
    districts: tuple[str, ...]
    weight: int

    @property
    def name(self) -> str:
        # Address pickers show municipalities twice (北京市 / 北京市 / 朝阳区); so do we.
        return f"{self.short}市"


_CN_CITIES: tuple[_CnCity, ...] = (
    _CnCity("北京", "北京市", "1000", "10", ("朝阳区", "海淀区", "东城区"), 9),
    _CnCity("上海", "上海市", "2000", "21", ("浦东新区", "徐汇区", "静安区"), 9),
    _CnCity("天津", "天津市", "3000", "22", ("和平区", "南开区", "滨海新区"), 4),
    _CnCity("重庆", "重庆市", "4000", "23", ("渝中区", "江北区", "沙坪坝区"), 5),
    _CnCity("广州", "广东省", "5100", "20", ("天河区", "越秀区", "番禺区"), 7),
    _CnCity("深圳", "广东省", "5180", "755", ("南山区", "福田区", "宝安区"), 7),
    _CnCity("佛山", "广东省", "5280", "757", ("禅城区", "南海区", "顺德区"), 3),
    _CnCity("杭州", "浙江省", "3100", "571", ("西湖区", "上城区", "滨江区"), 6),
    _CnCity("宁波", "浙江省", "3150", "574", ("海曙区", "鄞州区", "北仑区"), 3),
    _CnCity("苏州", "江苏省", "2150", "512", ("姑苏区", "吴中区", "相城区"), 5),
    _CnCity("南京", "江苏省", "2100", "25", ("鼓楼区", "玄武区", "江宁区"), 5),
    _CnCity("无锡", "江苏省", "2140", "510", ("梁溪区", "滨湖区", "新吴区"), 3),
    _CnCity("成都", "四川省", "6100", "28", ("锦江区", "武侯区", "青羊区"), 5),
    _CnCity("武汉", "湖北省", "4300", "27", ("江汉区", "武昌区", "洪山区"), 5),
    _CnCity("西安", "陕西省", "7100", "29", ("雁塔区", "碑林区", "未央区"), 4),
    _CnCity("长沙", "湖南省", "4100", "731", ("岳麓区", "芙蓉区", "天心区"), 3),
    _CnCity("郑州", "河南省", "4500", "371", ("金水区", "二七区", "中原区"), 3),
    _CnCity("济南", "山东省", "2500", "531", ("历下区", "市中区", "槐荫区"), 3),
    _CnCity("青岛", "山东省", "2660", "532", ("市南区", "崂山区", "黄岛区"), 3),
    _CnCity("沈阳", "辽宁省", "1100", "24", ("和平区", "沈河区", "铁西区"), 3),
    _CnCity("合肥", "安徽省", "2300", "551", ("蜀山区", "包河区", "庐阳区"), 3),
    _CnCity("福州", "福建省", "3500", "591", ("鼓楼区", "台江区", "仓山区"), 2),
    _CnCity("厦门", "福建省", "3610", "592", ("思明区", "湖里区", "集美区"), 2),
    _CnCity("昆明", "云南省", "6500", "871", ("五华区", "盘龙区", "官渡区"), 2),
    _CnCity("南宁", "广西壮族自治区", "5300", "771", ("青秀区", "兴宁区", "西乡塘区"), 2),
    _CnCity("唐山", "河北省", "0630", "315", ("路南区", "路北区", "丰润区"), 2),
    _CnCity("石家庄", "河北省", "0500", "311", ("长安区", "桥西区", "裕华区"), 2),
    _CnCity("太原", "山西省", "0300", "351", ("小店区", "迎泽区", "杏花岭区"), 2),
    _CnCity("包头", "内蒙古自治区", "0140", "472", ("昆都仑区", "青山区", "东河区"), 1),
    _CnCity("哈尔滨", "黑龙江省", "1500", "451", ("南岗区", "道里区", "香坊区"), 2),
)

# The curated word lists below are kept compact on purpose: one glance shows them all.
# fmt: off
# Roughly by frequency: the first ten cover about 40 % of the population.
_CN_SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("赵", 23),
    ("黄", 22), ("周", 21), ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 13),
    ("高", 12), ("林", 12), ("何", 12), ("郭", 11), ("马", 11), ("罗", 9), ("梁", 9),
    ("宋", 8), ("郑", 8), ("谢", 8), ("韩", 7), ("唐", 7), ("冯", 6), ("于", 6),
    ("董", 5), ("欧阳", 1),
)
_CN_SURNAME_NAMES = tuple(name for name, _ in _CN_SURNAMES)
_CN_SURNAME_WEIGHTS = tuple(weight for _, weight in _CN_SURNAMES)
_CN_GIVEN_SINGLE = {
    "female": tuple("芳娜敏静丽艳娟霞婷雪玲慧颖琳倩燕"),
    "male": tuple("伟强磊军勇杰涛斌超明刚平辉鹏浩峰"),
}
_CN_GIVEN_DOUBLE = {
    "female": (
        "秀英", "桂英", "丽娟", "晓燕", "雅婷", "欣怡", "梓涵", "诗琪",
        "佳怡", "思雨", "子萱", "婉清", "海燕", "玉兰", "春梅", "淑华",
    ),
    "male": (
        "建华", "建国", "志强", "国强", "晓明", "俊杰", "浩然", "宇轩",
        "子豪", "博文", "家豪", "文涛", "海涛", "振华", "立新", "思远",
    ),
}
# One-character given names (so 王芳-style two-character full names) are common,
# especially among people born before the 1990s.
_CN_SINGLE_GIVEN_SHARE = 0.35
# Real mobile number blocks of China Mobile, China Unicom and China Telecom.
_CN_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "198", "199",
)
_CN_STREETS = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "黄河路", "文化路",
    "新华路", "学府路", "科技路", "滨江路", "朝阳路", "青年路", "胜利路", "东风路",
)
_CN_ESTATES = ("阳光花园", "锦绣家园", "翠湖小区", "书香苑", "金色家园", "幸福里", "绿城桂园")
_CN_OFFICE_BUILDINGS = ("国贸大厦", "金融中心", "科技大厦", "商务中心", "创业大厦")
_CN_PARKS = ("经济开发区", "高新技术产业园", "工业园区")
# 字号: the trade-name part of a Chinese company name; invented, generic words.
_CN_BRANDS = (
    "恒力", "华兴", "鑫源", "永安", "宏达", "天成", "金鹏", "瑞丰", "东方", "中联",
    "安泰", "德隆", "博远", "嘉禾", "盛世", "海创", "新锐", "远航", "华瑞", "润丰",
    "信达", "通达", "明辉", "汇通",
)
_CN_INDUSTRY_WORDS = {
    "manufacturing": ("机械制造", "精密机械", "电子科技", "汽车零部件"),
    "steel": ("钢铁", "特钢", "金属制品"),
    "chemicals": ("化工", "新材料"),
    "data centre": ("数据科技", "云计算", "信息技术"),
    "retail": ("商贸", "百货", "连锁超市"),
    "logistics": ("物流", "供应链管理"),
    "hospitality": ("酒店管理", "餐饮管理"),
    "agriculture": ("农业科技", "生态农业", "农牧"),
}
_CN_COMPANY_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司")
_CN_COMPANY_SUFFIX_WEIGHTS = (70, 20, 10)
_CN_TITLES = (
    "总经理", "副总经理", "采购经理", "财务经理",
    "行政主管", "设备部经理", "能源管理主管", "办公室主任",
)
_CN_HOSPITAL_TITLES = ("院长", "副院长", "总务科科长", "设备科科长", "后勤处处长")
_CN_ORDINALS = ("第一", "第二", "第三", "第四", "第五")

# --------------------------------------------------------------------------- English


@dataclass(frozen=True)
class _EnCity:
    country: str
    name: str
    region: str
    postal_areas: tuple[str, ...]  # outward codes (GB), ZIP prefixes (US), FSAs (CA), ...
    landline: str  # E.164 prefix; the rest are random digits
    landline_digits: int
    weight: int


# UK landlines use Ofcom's drama ranges (e.g. 020 7946 0000–0999), North American ones
# 555-0100–0199: numbers reserved for fiction, so the demo can never ring anyone.
_EN_CITIES: tuple[_EnCity, ...] = (
    _EnCity("GB", "London", "Greater London", ("EC1A", "SE1", "N1", "E14"), "+442079460", 3, 12),
    _EnCity("GB", "Leeds", "West Yorkshire", ("LS1", "LS6", "LS11"), "+441134960", 3, 3),
    _EnCity("GB", "Manchester", "Greater Manchester", ("M1", "M4", "M14"), "+441614960", 3, 4),
    _EnCity("GB", "Birmingham", "West Midlands", ("B1", "B15", "B29"), "+441214960", 3, 4),
    _EnCity("GB", "Bristol", "Bristol", ("BS1", "BS6", "BS8"), "+441174960", 3, 3),
    _EnCity("GB", "Sheffield", "South Yorkshire", ("S1", "S10", "S11"), "+441144960", 3, 2),
    _EnCity("GB", "Liverpool", "Merseyside", ("L1", "L8", "L17"), "+441514960", 3, 2),
    _EnCity("GB", "Edinburgh", "City of Edinburgh", ("EH1", "EH3", "EH10"), "+441314960", 3, 3),
    _EnCity("GB", "Glasgow", "Glasgow City", ("G1", "G12", "G41"), "+441414960", 3, 3),
    _EnCity("GB", "Cardiff", "Cardiff", ("CF10", "CF11", "CF24"), "+442920180", 3, 2),
    _EnCity("US", "New York", "NY", ("100", "101"), "+121255501", 2, 8),
    _EnCity("US", "Boston", "MA", ("021",), "+161755501", 2, 3),
    _EnCity("US", "Chicago", "IL", ("606",), "+131255501", 2, 5),
    _EnCity("US", "Seattle", "WA", ("981",), "+120655501", 2, 4),
    _EnCity("US", "Austin", "TX", ("787",), "+151255501", 2, 3),
    _EnCity("US", "Denver", "CO", ("802",), "+130355501", 2, 3),
    _EnCity("US", "San Francisco", "CA", ("941",), "+141555501", 2, 5),
    _EnCity("US", "Atlanta", "GA", ("303",), "+140455501", 2, 3),
    _EnCity("CA", "Toronto", "ON", ("M5V", "M4W", "M6J"), "+141655501", 2, 3),
    _EnCity("CA", "Vancouver", "BC", ("V6B", "V5K", "V6K"), "+160455501", 2, 2),
    _EnCity("IE", "Dublin", "County Dublin", ("D02", "D04", "D08"), "+3531", 7, 4),
    _EnCity("IE", "Cork", "County Cork", ("T12", "T23"), "+35321", 7, 2),
    _EnCity("AU", "Sydney", "NSW", ("20",), "+612", 8, 4),
    _EnCity("AU", "Melbourne", "VIC", ("30",), "+613", 8, 4),
    _EnCity("AU", "Brisbane", "QLD", ("40",), "+617", 8, 2),
)
# Mobile numbers per country: (E.164 prefixes, random digits). None: use the city's
# landline pattern (North America does not tell mobiles apart). Ofcom's 07700 900xxx is
# the UK drama range for mobiles.
_EN_MOBILES: dict[str, tuple[tuple[str, ...], int] | None] = {
    "GB": (("+447700900",), 3),
    "US": None,
    "CA": None,
    "IE": (("+35383", "+35385", "+35386", "+35387", "+35389"), 7),
    "AU": (("+614",), 8),
}
_EN_GIVEN = {
    "female": (
        "Olivia", "Emma", "Amelia", "Sophie", "Charlotte", "Emily", "Grace", "Hannah",
        "Isabella", "Jessica", "Lucy", "Sarah", "Rachel", "Laura", "Megan", "Chloe", "Niamh",
    ),
    "male": (
        "James", "Oliver", "William", "Jack", "Harry", "George", "Thomas", "Daniel",
        "Michael", "David", "John", "Robert", "Matthew", "Andrew", "Samuel", "Liam", "Sean",
    ),
}
_EN_SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Clarke", "Miller", "Anderson", "Murphy", "Kelly", "O'Brien", "Walsh",
    "Campbell", "Stewart", "Martin", "Moore", "Harris", "Lewis", "Hughes", "Patel",
    "Khan", "Garcia", "Nguyen",
)
_EN_STREETS = {
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"),
    "IE": ("Main Street", "Church Road", "Castle Street", "Harbour Road", "Abbey Street"),
    "AU": ("George Street", "Beach Road", "Queen Street", "Park Parade", "Railway Parade"),
    "US": ("Main Street", "Maple Avenue", "Oak Street", "Cedar Lane", "Washington Avenue"),
    "CA": ("Main Street", "King Street West", "Maple Crescent", "Lakeshore Road"),
}
_EN_BRANDS = (
    "Northwind", "Harbourline", "Redfern", "Ashford", "Greenvale", "Kestrel", "Meridian",
    "Oakridge", "Silverbirch", "Thornbury", "Westbrook", "Brightwater", "Copperfield",
    "Fairhaven", "Highmoor", "Larkspur", "Millbrook", "Pennine",
)
_EN_INDUSTRY_WORDS = {
    "manufacturing": ("Engineering", "Manufacturing", "Precision Components"),
    "steel": ("Steel", "Metals"),
    "chemicals": ("Chemicals", "Coatings"),
    "data centre": ("Data Centres", "Cloud Hosting"),
    "retail": ("Stores", "Retail", "Home & Garden"),
    "logistics": ("Logistics", "Freight"),
    "hospitality": ("Hotels", "Hospitality"),
    "agriculture": ("Farms", "Growers", "Agriculture"),
}
_EN_COMPANY_SUFFIXES = {
    "GB": ("Ltd", "Ltd", "Ltd", "plc"),
    "IE": ("Ltd", "Ltd", "DAC"),
    "AU": ("Pty Ltd",),
    "US": ("Inc.", "LLC", "Corp."),
    "CA": ("Inc.", "Ltd."),
}
_EN_HOSPITALS = {
    "GB": ("{city} General Hospital", "{city} Royal Infirmary", "St {saint}'s Hospital, {city}"),
    "IE": ("{city} University Hospital", "St {saint}'s Hospital, {city}"),
    "AU": ("{city} General Hospital", "St {saint}'s Hospital, {city}"),
    "US": ("{city} Medical Center", "St. {saint}'s Hospital, {city}", "{city} Community Hospital"),
    "CA": ("{city} General Hospital", "St. {saint}'s Hospital, {city}"),
}
_EN_SAINTS = ("Mary", "Luke", "Thomas", "Catherine", "Vincent", "Joseph", "James")
_EN_TITLES = (
    "Managing Director", "Operations Manager", "Procurement Manager", "Finance Director",
    "Facilities Manager", "Office Manager", "Energy Manager",
)
_EN_HOSPITAL_TITLES = (
    "Chief Executive", "Estates Manager", "Facilities Manager", "Head of Procurement",
)
# fmt: on
# Letters Royal Mail uses in the inward part of a postcode.
_GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Letters Canada Post uses (never D, F, I, O, Q, U).
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"

_WORKING_OCCUPATIONS = tuple(o for o in OCCUPATIONS if o not in ("student", "retired"))
_EDUCATION_WEIGHTS = (4, 30, 22, 32, 10, 2)  # aligned with EDUCATION_LEVELS
_MIN_EDUCATION = {
    "doctor": "bachelor",
    "teacher": "bachelor",
    "engineer": "vocational",
    "software developer": "vocational",
    "accountant": "vocational",
    "nurse": "vocational",
    "civil servant": "secondary",
}


@dataclass(frozen=True)
class _OrgDetails:
    """The locale-specific part of a demo organisation."""

    email: str | None
    phone: str | None
    city: str
    region: str
    preferred_language: str
    contacts: tuple[DemoContact, ...]
    addresses: tuple[DemoAddress, ...]


@dataclass(frozen=True)
class _Org:
    """What a later subsidiary needs to know about an organisation."""

    code: str
    chinese: bool
    country: str
    city: str
    name: str
    brand: str
    industry: str
    industry_word: str


class _Generator:
    """Holds the RNG and the uniqueness bookkeeping of one ``generate_customers`` call."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.org_names: set[str] = set()
        self.persons = 0
        self.organisations = 0
        # Organisations that may own subsidiaries, in generation order.
        self.parents: list[_Org] = []

    # ----------------------------------------------------------------- helpers

    def weighted(self, items: Sequence[_T], weights: Sequence[float]) -> _T:
        return self.rng.choices(items, weights=weights)[0]

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def claim_email(self, make: Callable[[int], str], domain: str) -> str:
        """Return the first unused ``make(attempt)@domain``; ``make`` varies with attempt."""
        attempt = 0
        while True:
            email = f"{make(attempt)}@{domain}".lower()
            if email not in self.emails:
                self.emails.add(email)
                return email
            attempt += 1

    def claim_phone(self, make: Callable[[], str]) -> str:
        """Return an unused number; duplicates only once a small fictional range runs dry."""
        phone = make()
        for _ in range(30):
            if phone not in self.phones:
                break
            phone = make()
        # A 1,000-number drama range can be exhausted by a very large demo; a shared
        # switchboard number is still realistic, so give up on uniqueness then.
        self.phones.add(phone)
        return phone

    def cn_mobile(self) -> str:
        return self.claim_phone(
            lambda: f"+86{self.rng.choice(_CN_MOBILE_PREFIXES)}{self.digits(8)}"
        )

    def cn_landline(self, city: _CnCity) -> str:
        # Local numbers never start with 0 (trunk) or 1 (special services).
        return self.claim_phone(
            lambda: f"+86{city.area_code}{self.rng.randint(2, 8)}{self.digits(7)}"
        )

    def en_landline(self, city: _EnCity) -> str:
        return self.claim_phone(lambda: city.landline + self.digits(city.landline_digits))

    def en_mobile(self, city: _EnCity) -> str:
        pattern = _EN_MOBILES[city.country]
        if pattern is None:
            return self.en_landline(city)
        prefixes, n = pattern
        return self.claim_phone(lambda: self.rng.choice(prefixes) + self.digits(n))

    def cn_email_handle(self, stem: str) -> Callable[[int], str]:
        # Pinyin-free on purpose: a romanised name would leak into exports and look real.
        # After many collisions (only in huge demos) widen the number space.
        return lambda attempt: f"{stem}{self.rng.randrange(1000, 10**5 if attempt < 20 else 10**9)}"

    def en_email_handle(self, base: str) -> Callable[[int], str]:
        # john.smith, then john.smith42 as a real mailbox provider would suggest.
        return lambda attempt: f"{base}{self.rng.randrange(1, 100 * attempt)}" if attempt else base

    def pick_cn_city(self, exclude: str | None = None) -> _CnCity:
        cities = [c for c in _CN_CITIES if c.short != exclude] or list(_CN_CITIES)
        return self.weighted(cities, [c.weight for c in cities])

    def pick_en_city(self, country: str | None = None, exclude: str | None = None) -> _EnCity:
        cities = [
            c for c in _EN_CITIES if (country is None or c.country == country) and c.name != exclude
        ] or [c for c in _EN_CITIES if country is None or c.country == country]
        return self.weighted(cities, [c.weight for c in cities])

    # ----------------------------------------------------------------- names

    def cn_person_name(self, gender: str | None) -> str:
        surname = self.weighted(_CN_SURNAME_NAMES, _CN_SURNAME_WEIGHTS)
        sex = gender or self.rng.choice(("female", "male"))
        pool = _CN_GIVEN_SINGLE if self.rng.random() < _CN_SINGLE_GIVEN_SHARE else _CN_GIVEN_DOUBLE
        return surname + self.rng.choice(pool[sex])

    def en_person_name(self, gender: str | None) -> tuple[str, str]:
        sex = gender or self.rng.choice(("female", "male"))
        return self.rng.choice(_EN_GIVEN[sex]), self.rng.choice(_EN_SURNAMES)

    # ----------------------------------------------------------------- places

    def cn_postal_code(self, city: _CnCity) -> str:
        return city.postal_prefix + self.digits(2)

    def en_postal_code(self, city: _EnCity) -> str:
        rng = self.rng
        area = rng.choice(city.postal_areas)
        if city.country == "GB":
            letters = "".join(rng.choice(_GB_INWARD_LETTERS) for _ in range(2))
            return f"{area} {rng.randint(1, 9)}{letters}"
        if city.country == "US":
            return area + self.digits(5 - len(area))
        if city.country == "CA":
            return f"{area} {rng.randint(1, 9)}{rng.choice(_CA_LETTERS)}{rng.randint(0, 9)}"
        if city.country == "IE":
            return f"{area} {rng.choice('ACDEFHKNPRTVWXY')}" + "".join(
                rng.choice(_EIRCODE_CHARS) for _ in range(3)
            )
        return area + self.digits(2)  # AU: four digits

    def cn_home_line(self, city: _CnCity) -> str:
        rng = self.rng
        line = f"{rng.choice(city.districts)}{rng.choice(_CN_STREETS)}{rng.randint(1, 399)}号"
        if rng.random() < 0.7:
            room = f"{rng.randint(1, 32)}0{rng.randint(1, 4)}"  # floor + flat: 1203, 502
            line += f"{rng.choice(_CN_ESTATES)}{rng.randint(1, 30)}栋{room}室"
        return line

    def cn_office_line(self, city: _CnCity, district: str | None = None) -> str:
        rng = self.rng
        district = district or rng.choice(city.districts)
        line = f"{district}{rng.choice(_CN_STREETS)}{rng.randint(1, 599)}号"
        if rng.random() < 0.5:
            line += f"{rng.choice(_CN_OFFICE_BUILDINGS)}{rng.randint(2, 28)}楼"
        return line

    def cn_site_line(self, city: _CnCity) -> str:
        rng = self.rng
        district, park = rng.choice(city.districts), rng.choice(_CN_PARKS)
        return f"{district}{park}{rng.choice(_CN_STREETS)}{rng.randint(1, 299)}号"

    def en_line(self, city: _EnCity, *, business: bool) -> str:
        rng = self.rng
        street = f"{rng.randint(1, 240)} {rng.choice(_EN_STREETS[city.country])}"
        if business and rng.random() < 0.4:
            unit = "Suite" if city.country in ("US", "CA") else "Unit"
            return f"{unit} {rng.randint(1, 40)}, {street}"
        return street

    def cn_address(self, kind: str, city: _CnCity, line1: str) -> DemoAddress:
        return DemoAddress(kind, line1, city.name, city.region, self.cn_postal_code(city), "CN")

    def en_address(self, kind: str, city: _EnCity, *, business: bool) -> DemoAddress:
        line1 = self.en_line(city, business=business)
        postal_code = self.en_postal_code(city)
        return DemoAddress(kind, line1, city.name, city.region, postal_code, city.country)

    # ----------------------------------------------------------------- classification

    def stage_and_tier(self) -> tuple[str, str | None]:
        stage = self.weighted(LIFECYCLE_STAGES, _STAGE_WEIGHTS)
        # Tiers are a service classification: only people already served get one.
        if stage in ("customer", "inactive"):
            tier = self.weighted((*TIERS, None), (10, 25, 35, 30))
        else:
            tier = None
        return stage, tier

    def departments(
        self, stage: str, *, organisation: bool, industry: str | None
    ) -> tuple[str, ...]:
        rng = self.rng
        chosen: set[str] = set()
        if stage == "lead":
            chosen.add("Marketing")
            if rng.random() < 0.4:
                chosen.add("Sales")
        elif stage == "prospect":
            chosen.add("Sales")
            if rng.random() < 0.3:
                chosen.add("Marketing")
        elif stage == "customer":
            chosen.add("Service Centre")
            if rng.random() < (0.8 if organisation else 0.3):
                chosen.add("Sales")
        else:  # inactive: service keeps the history, marketing tries to win them back
            chosen.add(rng.choice(("Service Centre", "Marketing")))
        if industry in _POWER_HUNGRY:
            power_share = 0.8
        elif organisation:
            power_share = 0.3
        else:
            power_share = 0.1
        if stage != "lead" and rng.random() < power_share:
            chosen.add("Power Marketing")
        return tuple(d for d in DEPARTMENTS if d in chosen)

    def tags(
        self, stage: str, tier: str | None, departments: tuple[str, ...], *, organisation: bool
    ) -> tuple[str, ...]:
        odds = {
            "vip": {"gold": 0.6, "silver": 0.1}.get(tier or "", 0.01),
            "key-account": (0.5 if tier in ("gold", "silver") else 0.05) if organisation else 0.0,
            "new": {"lead": 0.5, "prospect": 0.5, "customer": 0.08}.get(stage, 0.0),
            "complaint-history": 0.25 if stage == "inactive" else 0.08,
            "energy-saving": 0.35 if "Power Marketing" in departments else 0.05,
            "referral": 0.06,
            "paperless-billing": 0.15 if stage == "customer" else 0.02,
            "price-sensitive": 0.07,
        }
        chosen = [tag for tag in TAGS if self.rng.random() < odds[tag]]
        if len(chosen) > 3:
            chosen = self.rng.sample(chosen, 3)
        return tuple(t for t in TAGS if t in chosen)

    # ----------------------------------------------------------------- persons

    def person(self, chinese: bool) -> DemoCustomer:
        rng = self.rng
        self.persons += 1
        code = f"C{self.persons:06d}"
        gender = self.weighted(("female", "male", None), (48.5, 48.5, 3))

        birth_date: date | None = None
        age: int | None = None
        if rng.random() < 0.9:
            # Skewed towards working age, as utility and retail customer bases are.
            days = int(rng.triangular(18 * 365.25 + 1, 85 * 365.25, 40 * 365.25))
            birth_date = REFERENCE_DATE - timedelta(days=days)
            age = int(days // 365.25)
        occupation = self.occupation(age) if rng.random() < 0.92 else None
        education = self.education(occupation) if rng.random() < 0.85 else None

        has_email = rng.random() >= _NO_EMAIL_SHARE
        has_phone = rng.random() >= _NO_PHONE_SHARE
        first_kind = self.weighted(("mailing", "service"), (55, 45))
        second_kind = None
        if rng.random() < 0.3:
            second_kind = rng.choice([k for k in ADDRESS_KINDS if k != first_kind])

        if chinese:
            name = self.cn_person_name(gender)
            city = self.pick_cn_city()
            email = None
            if has_email:
                domain = self.weighted(("example.cn", "example.com"), (85, 15))
                email = self.claim_email(self.cn_email_handle("user"), domain)
            phone = self.cn_mobile() if has_phone else None
            addresses = [self.cn_address(first_kind, city, self.cn_home_line(city))]
            if second_kind:
                addresses.append(self.cn_address(second_kind, city, self.cn_home_line(city)))
            language = "zh_Hans"
            city_name, region = city.name, city.region
        else:
            given, family = self.en_person_name(gender)
            name = f"{given} {family}"
            en_city = self.pick_en_city()
            email = None
            if has_email:
                domain = self.weighted(("example.com", "example.org"), (70, 30))
                email = self.claim_email(self.en_email_handle(_ascii_handle(given, family)), domain)
            phone = self.en_mobile(en_city) if has_phone else None
            addresses = [self.en_address(first_kind, en_city, business=False)]
            if second_kind:
                addresses.append(self.en_address(second_kind, en_city, business=False))
            language = "en"
            city_name, region = en_city.name, en_city.region

        stage, tier = self.stage_and_tier()
        departments = self.departments(stage, organisation=False, industry=None)
        return DemoCustomer(
            code=code,
            kind="person",
            name=name,
            email=email,
            phone=phone,
            city=city_name,
            region=region,
            lifecycle_stage=stage,
            tier=tier,
            gender=gender,
            birth_date=birth_date,
            occupation=occupation,
            education=education,
            preferred_language=language,
            parent_code=None,
            departments=departments,
            contacts=(),
            addresses=tuple(addresses),
            tags=self.tags(stage, tier, departments, organisation=False),
            industry=None,
        )

    def education(self, occupation: str | None) -> str:
        # A doctor with primary schooling would look like a bug in the demo.
        lowest = EDUCATION_LEVELS.index(_MIN_EDUCATION.get(occupation or "", "primary"))
        return self.weighted(EDUCATION_LEVELS[lowest:], _EDUCATION_WEIGHTS[lowest:])

    def occupation(self, age: int | None) -> str:
        rng = self.rng
        if age is not None and age < 23 and rng.random() < 0.6:
            return "student"
        if age is not None and age >= 60 and rng.random() < 0.75:
            return "retired"
        return rng.choice(_WORKING_OCCUPATIONS)

    # ----------------------------------------------------------------- organisations

    def organisation(self, chinese: bool) -> DemoCustomer:
        rng = self.rng
        self.organisations += 1
        code = f"O{self.organisations:06d}"
        candidates = [p for p in self.parents if p.chinese == chinese]
        parent = rng.choice(candidates) if candidates and rng.random() < _SUBSIDIARY_SHARE else None
        has_email = rng.random() >= _NO_EMAIL_SHARE
        has_phone = rng.random() >= _NO_PHONE_SHARE
        if chinese:
            org, details = self.cn_organisation(code, parent, has_email, has_phone)
        else:
            org, details = self.en_organisation(code, parent, has_email, has_phone)
        # Hospitals do not own branch companies, and subsidiaries stay one level deep.
        if parent is None and org.industry != "hospital":
            self.parents.append(org)

        stage, tier = self.stage_and_tier()
        departments = self.departments(stage, organisation=True, industry=org.industry)
        return DemoCustomer(
            code=code,
            kind="organization",
            name=org.name,
            email=details.email,
            phone=details.phone,
            city=details.city,
            region=details.region,
            lifecycle_stage=stage,
            tier=tier,
            gender=None,
            birth_date=None,
            occupation=None,
            education=None,
            parent_code=parent.code if parent else None,
            departments=departments,
            tags=self.tags(stage, tier, departments, organisation=True),
            industry=org.industry,
            preferred_language=details.preferred_language,
            contacts=details.contacts,
            addresses=details.addresses,
        )

    def unique_org_name(self, make: Callable[[], tuple[str, _T]]) -> tuple[str, _T]:
        """Draw names until an unused one turns up (or give up: duplicates exist in life)."""
        name, extra = make()
        for _ in range(20):
            if name not in self.org_names:
                break
            name, extra = make()
        self.org_names.add(name)
        return name, extra

    def cn_organisation(
        self, code: str, parent: _Org | None, has_email: bool, has_phone: bool
    ) -> tuple[_Org, _OrgDetails]:
        rng = self.rng
        district: str | None = None
        if parent is not None:
            city = self.pick_cn_city(exclude=parent.city)
            industry, brand, word = parent.industry, parent.brand, parent.industry_word
            # 苏州恒力钢铁有限公司无锡分公司: the branch is named after its head office.
            name = f"{parent.name}{city.short}分公司"
            self.org_names.add(name)
        else:
            city = self.pick_cn_city()
            industry = self.weighted(INDUSTRIES, _INDUSTRY_WEIGHTS)
            if industry == "hospital":
                brand, word = "", ""

                def hospital() -> tuple[str, str | None]:
                    pattern = rng.randrange(4)
                    d = rng.choice(city.districts)
                    if pattern == 0:
                        return f"{city.short}{d}人民医院", d
                    if pattern == 1:
                        return f"{city.short}{d}中医院", d
                    if pattern == 2:
                        return f"{city.short}{d}妇幼保健院", d
                    return f"{city.short}市{rng.choice(_CN_ORDINALS)}人民医院", None

                name, district = self.unique_org_name(hospital)
            else:

                def company() -> tuple[str, tuple[str, str]]:
                    b = rng.choice(_CN_BRANDS)
                    w = rng.choice(_CN_INDUSTRY_WORDS[industry])
                    suffix = self.weighted(_CN_COMPANY_SUFFIXES, _CN_COMPANY_SUFFIX_WEIGHTS)
                    return f"{city.short}{b}{w}{suffix}", (b, w)

                name, (brand, word) = self.unique_org_name(company)

        titles = _CN_HOSPITAL_TITLES if industry == "hospital" else _CN_TITLES
        contacts = tuple(
            DemoContact(
                name=self.cn_person_name(None),
                title=title,
                email=(
                    self.claim_email(self.cn_email_handle("contact"), "example.cn")
                    if rng.random() < 0.85
                    else None
                ),
                phone=self.cn_mobile() if rng.random() < 0.95 else None,
                is_primary=i == 0,
            )
            for i, title in enumerate(rng.sample(titles, self.weighted((1, 2, 3), (50, 35, 15))))
        )
        addresses = [self.cn_address("billing", city, self.cn_office_line(city, district))]
        if rng.random() < 0.55:
            # Hospitals, shops and hotels serve from town; the others from an industrial park.
            if industry in ("hospital", "retail", "hospitality"):
                site = self.cn_office_line(city)
            else:
                site = self.cn_site_line(city)
            addresses.append(self.cn_address("service", city, site))
        mailbox = rng.choice(("info", "office", "service", "purchasing"))
        email = None
        if has_email:
            email = self.claim_email(self.cn_email_handle(mailbox), "example.cn")
        phone = None
        if has_phone:
            # Companies mostly give a switchboard; small firms give the boss's mobile.
            if industry == "hospital" or rng.random() < 0.75:
                phone = self.cn_landline(city)
            else:
                phone = self.cn_mobile()
        details = _OrgDetails(
            email, phone, city.name, city.region, "zh_Hans", contacts, tuple(addresses)
        )
        return _Org(code, True, "CN", city.short, name, brand, industry, word), details

    def en_organisation(
        self, code: str, parent: _Org | None, has_email: bool, has_phone: bool
    ) -> tuple[_Org, _OrgDetails]:
        rng = self.rng
        if parent is not None:
            city = self.pick_en_city(country=parent.country, exclude=parent.city)
            industry, brand, word = parent.industry, parent.brand, parent.industry_word
            # "Kestrel Steel (Leeds) Ltd": the usual name of a regional subsidiary.
            name = f"{brand} {word} ({city.name}) {_EN_COMPANY_SUFFIXES[city.country][0]}"
            self.org_names.add(name)
        else:
            city = self.pick_en_city()
            industry = self.weighted(INDUSTRIES, _INDUSTRY_WEIGHTS)
            if industry == "hospital":
                brand, word = "", ""

                def hospital() -> tuple[str, None]:
                    pattern = rng.choice(_EN_HOSPITALS[city.country])
                    return pattern.format(city=city.name, saint=rng.choice(_EN_SAINTS)), None

                name, _ = self.unique_org_name(hospital)
            else:

                def company() -> tuple[str, tuple[str, str]]:
                    b = rng.choice(_EN_BRANDS)
                    w = rng.choice(_EN_INDUSTRY_WORDS[industry])
                    if city.country in ("US", "CA"):
                        w = w.replace("Centres", "Centers")
                    return f"{b} {w} {rng.choice(_EN_COMPANY_SUFFIXES[city.country])}", (b, w)

                name, (brand, word) = self.unique_org_name(company)

        titles = _EN_HOSPITAL_TITLES if industry == "hospital" else _EN_TITLES
        contacts = []
        for i, title in enumerate(rng.sample(titles, self.weighted((1, 2, 3), (50, 35, 15)))):
            given, family = self.en_person_name(None)
            email = (
                self.claim_email(self.en_email_handle(_ascii_handle(given, family)), "example.com")
                if rng.random() < 0.85
                else None
            )
            phone = self.en_mobile(city) if rng.random() < 0.95 else None
            contacts.append(DemoContact(f"{given} {family}", title, email, phone, i == 0))
        addresses = [self.en_address("billing", city, business=True)]
        if rng.random() < 0.55:
            addresses.append(self.en_address("service", city, business=True))
        mailbox = rng.choice(("info", "accounts", "office", "hello"))
        slug = _ascii_handle(brand or city.name, word or "hospital")
        email = None
        if has_email:
            email = self.claim_email(self.en_email_handle(f"{mailbox}.{slug}"), "example.com")
        phone = self.en_landline(city) if has_phone else None
        details = _OrgDetails(
            email, phone, city.name, city.region, "en", tuple(contacts), tuple(addresses)
        )
        return _Org(code, False, city.country, city.name, name, brand, industry, word), details

    # ----------------------------------------------------------------- entry

    def customer(self) -> DemoCustomer:
        # Kind and locale are drawn first, independently, so the ratios hold per locale.
        is_person = self.rng.random() < _PERSON_SHARE
        chinese = self.rng.random() < _CHINESE_SHARE
        return self.person(chinese) if is_person else self.organisation(chinese)


def _ascii_handle(*parts: str) -> str:
    """``("Sean", "O'Brien")`` -> ``"sean.obrien"``: the local part of an email address."""
    cleaned = ("".join(ch for ch in p.lower() if ch.isascii() and ch.isalnum()) for p in parts)
    return ".".join(cleaned)


def generate_customers(count: int, *, seed: int = 2026) -> list[DemoCustomer]:
    """Generate ``count`` realistic demo customers, the same ones for the same ``seed``.

    Persons get codes ``C000001``…, organisations ``O000001``…; codes, email addresses
    (customers' and contacts' together) and, while the fictional ranges last, phone
    numbers are unique. A subsidiary's ``parent_code`` always names an organisation
    earlier in the list. ``generate_customers(n, seed=s)`` is a prefix of
    ``generate_customers(m, seed=s)`` for ``n <= m``.
    """
    if count < 0:
        raise ValueError(f"count must be zero or more, not {count}")
    generator = _Generator(seed)
    return [generator.customer() for _ in range(count)]
