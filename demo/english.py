"""The demo district's English names (``name_en``, shown on English pages): its units and its lookup
rows (projects migration 0007 names the rows it seeded; the demo names them again, as it seeds them too).
Towns and communities are proper nouns and keep their Chinese names (docs/reports.md)."""

UNITS = {
    "区发展和改革委员会": "District Development and Reform Commission",
    "区教育局": "District Education Bureau",
    "区民政局": "District Civil Affairs Bureau",
    "区人力资源和社会保障局": "District Human Resources and Social Security Bureau",
    "区卫生健康委员会": "District Health Commission",
    "区住房和城乡建设局": "District Housing and Urban-Rural Development Bureau",
    "区交通运输局": "District Transport Bureau",
    "区农业农村局": "District Agriculture and Rural Affairs Bureau",
    "区水利局": "District Water Resources Bureau",
    "区生态环境局": "District Ecology and Environment Bureau",
    "区市场监督管理局": "District Market Regulation Bureau",
    "区城市管理局": "District Urban Management Bureau",
    "区文体广电和旅游局": "District Culture, Sports, Broadcasting and Tourism Bureau",
    "区财政局": "District Finance Bureau",
    "区司法局": "District Justice Bureau",
    "区公安分局": "District Public Security Sub-bureau",
    "区应急管理局": "District Emergency Management Bureau",
    "区商务局": "District Commerce Bureau",
    "区工业和信息化局": "District Industry and Information Technology Bureau",
    "区科学技术局": "District Science and Technology Bureau",
    "区医疗保障局": "District Healthcare Security Bureau",
    "区退役军人事务局": "District Veterans Affairs Bureau",
    "区自然资源和规划局": "District Natural Resources and Planning Bureau",
    "区行政审批局": "District Administrative Approval Bureau",
    "区数据局": "District Data Bureau",
    "区总工会": "District Federation of Trade Unions",
    "共青团姜堰区委": "Jiangyan District Committee of the Communist Youth League",
    "区妇女联合会": "District Women's Federation",
    "区残疾人联合会": "District Disabled Persons' Federation",
    "区红十字会": "District Red Cross Society",
    "区供电公司": "District Power Supply Company",
    "区水务集团": "District Water Group",
    "区融媒体中心": "District Media Centre",
    "区委组织部": "Organisation Department of the District Party Committee",
    "区委宣传部": "Publicity Department of the District Party Committee",
    "区委政法委员会": "Political and Legal Affairs Commission of the District Party Committee",
    "区信访局": "District Letters and Visits Bureau",
    "区税务局": "District Taxation Bureau",
    "区统计局": "District Statistics Bureau",
    "区消防救援大队": "District Fire and Rescue Brigade",
}


PROBLEM_CATEGORIES = {
    "养老服务": "Elderly care services",
    "教育托育": "Education and childcare",
    "民生保障与就业": "Livelihoods and employment",
    "城乡环境与基础设施": "Environment and infrastructure",
    "社区治理与平安": "Community governance and safety",
}

KEY_TASKS = {
    "助企": "Supporting businesses",
    "兴村": "Revitalising villages",
    "惠民": "Benefiting residents",
    "提效": "Raising efficiency",
    "善治": "Good governance",
}

PROGRAMS = {
    "智造强企": "Smart Manufacturing, Stronger Businesses",
    "富民兴村": "Thriving Villages, Better-off Residents",
    "利民惠民": "Services for Residents",
    "提质增效": "Better Quality, Greater Efficiency",
    "崇法善治": "Rule of Law and Good Governance",
}

DOMAINS = {
    "经济发展": "Economic development",
    "环境保护": "Environmental protection",
    "社区治理": "Community governance",
    "居民增收": "Household income",
    "教育": "Education",
    "养老": "Elderly care",
    "医疗卫生": "Health care",
    "就业": "Employment",
    "文化体育": "Culture and sports",
    "交通出行": "Transport",
    "住房保障": "Housing",
    "平安法治": "Public safety and rule of law",
    "政务服务": "Government services",
    "农业农村": "Agriculture and rural affairs",
    "社会保障": "Social security",
    "城市管理": "Urban management",
    "水利水务": "Water management",
    "市场监管": "Market regulation",
    "公用事业": "Public utilities",
}

TARGET_GROUPS = {
    "老年": "Older people",
    "青少年": "Young people",
    "低收入": "Low-income households",
    "全体居民": "All residents",
    "残疾人": "People with disabilities",
    "妇女儿童": "Women and children",
    "企业": "Businesses",
}
