"""Static material the seed draws from: names, places, questions, transcripts."""

from __future__ import annotations

FIRST_NAMES = (
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Leo",
    "Freya", "Oscar", "Sofia", "Harry", "Grace", "Jack", "Lily", "Muhammad", "Aisha", "Ethan",
    "Chloe", "Lucas", "Zara", "Mateo", "Elena", "Hugo", "Léa", "Louis", "Emma", "Lukas",
    "Hannah", "Finn", "Sanne", "Daan", "Giulia", "Marco", "Priya", "Arjun", "Mei", "Kenji",
    "Fatima", "Omar", "Nia", "Kwame", "Ingrid", "Lars", "Olga", "Pavel", "Carmen", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Wright", "Walker", "Thompson", "Hughes", "Edwards", "Green", "Khan", "Lewis", "Harris",
    "García", "Martínez", "López", "Dubois", "Moreau", "Laurent", "Müller", "Schmidt",
    "Schneider", "de Vries", "Jansen", "Bakker", "Rossi", "Russo", "Bianchi", "Sharma", "Singh",
    "Chen", "Wang", "Tanaka", "Sato", "Okafor", "Mensah", "Nielsen", "Hansen", "Novak", "Kowalski",
)  # fmt: skip
CITIES = (
    ("London", "United Kingdom", "GB"), ("Manchester", "United Kingdom", "GB"),
    ("Glasgow", "United Kingdom", "GB"), ("Edinburgh", "United Kingdom", "GB"),
    ("Bristol", "United Kingdom", "GB"), ("Leeds", "United Kingdom", "GB"),
    ("Dublin", "Ireland", "IE"), ("Madrid", "Spain", "ES"), ("Barcelona", "Spain", "ES"),
    ("Paris", "France", "FR"), ("Lyon", "France", "FR"), ("Berlin", "Germany", "DE"),
    ("Munich", "Germany", "DE"), ("Amsterdam", "Netherlands", "NL"),
    ("Rotterdam", "Netherlands", "NL"), ("Milan", "Italy", "IT"), ("Rome", "Italy", "IT"),
    ("New York", "United States", "US"), ("Detroit", "United States", "US"),
    ("Toronto", "Canada", "CA"),
)  # fmt: skip
EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "hotmail.co.uk",
)

# Transcript language -> the candidate's city codes it fits, and sample sentences.
TRANSCRIPTS = {
    "en": (
        "In my last role I led a small team through a difficult migration and we shipped on time.",
        "I handled a customer complaint by listening first, then offering a clear fix "
        "and a follow-up call.",
        "What motivates me is seeing a plan come together and the people around me growing.",
        "I prioritise by impact and urgency, and I keep stakeholders updated every week.",
        "I would describe myself as calm under pressure, curious and reliable.",
        "When I disagree with a colleague I ask questions until I understand their reasoning.",
    ),
    "es": (
        "En mi último puesto coordiné un equipo pequeño y cumplimos todos los plazos.",
        "Cuando un cliente se quejó, escuché con atención y le ofrecí una solución rápida.",
        "Me motiva aprender cosas nuevas y ayudar a mis compañeros a crecer.",
        "Organizo mi trabajo por prioridades y comunico el progreso cada semana.",
    ),
    "fr": (
        "Dans mon dernier poste, j'ai géré une équipe de cinq personnes avec succès.",
        "Face à un client mécontent, j'ai d'abord écouté puis proposé une solution concrète.",
        "Ce qui me motive, c'est de résoudre des problèmes complexes en équipe.",
        "Je planifie mes journées en fonction des priorités et des délais.",
    ),
    "de": (
        "In meiner letzten Position habe ich ein kleines Team erfolgreich geleitet.",
        "Bei einer Kundenbeschwerde höre ich zuerst zu und biete dann eine klare Lösung an.",
        "Mich motiviert es, Prozesse zu verbessern und Verantwortung zu übernehmen.",
        "Ich arbeite strukturiert und behalte auch unter Druck den Überblick.",
    ),
    "nl": (
        "In mijn vorige baan heb ik een klein team begeleid en onze doelen gehaald.",
        "Bij een klacht luister ik eerst goed en zoek ik daarna samen naar een oplossing.",
        "Ik word gemotiveerd door samenwerken en elke dag iets nieuws leren.",
    ),
    "it": (
        "Nel mio ultimo ruolo ho coordinato un piccolo gruppo e abbiamo rispettato le scadenze.",
        "Quando un cliente era insoddisfatto, ho ascoltato e proposto una soluzione rapida.",
        "Mi motiva lavorare in squadra e migliorare ogni giorno.",
    ),
}
COUNTRY_LANGUAGE = {"ES": "es", "FR": "fr", "DE": "de", "NL": "nl", "IT": "it"}

SUMMARIES = (
    "The candidate gave structured, confident answers with concrete examples from previous "
    "roles and showed a clear understanding of the position.",
    "The candidate communicated clearly and described a customer-first approach, though some "
    "answers lacked measurable outcomes.",
    "The candidate showed strong motivation and relevant experience, and handled the "
    "problem-solving question particularly well.",
    "The candidate's answers were brief; experience is relevant but examples were general "
    "rather than specific.",
    "The candidate demonstrated leadership and calm under pressure, with a well-reasoned "
    "approach to prioritisation.",
)
TEXT_ANSWERS = (
    "I have five years of experience in similar roles and enjoy working with people.",
    "My greatest strength is organisation: I plan ahead and keep everyone informed.",
    "I am available to start within four weeks and can work flexible shifts.",
    "I would bring energy, attention to detail and a willingness to learn.",
)
COMMENTS = (
    "Strong communicator, worth a second interview.",
    "Great answer on the customer complaint question.",
    "Relevant experience but answers were a little short.",
    "Very good understanding of sales processes.",
    "Please check right-to-work documents before the next stage.",
    "Confident and clear. Shortlist.",
    "Not the right fit for this role; consider for the graduate programme.",
)

# Interviews of the demo organisation: (title, department, salary, question list).
# Each question: (answer_type, text, options) where options are (text, is_correct).
INTERVIEWS = (
    ("Senior Backend Engineer", "Engineering", "£75,000 - £90,000", (
        ("video", "Tell us about a system you designed that you are proud of.", ()),
        ("text", "Describe how you would make a slow database query faster.", ()),
        ("checkboxes", "Which of these have you used in production?", (
            ("PostgreSQL", None), ("Redis", None), ("Kafka", None), ("Kubernetes", None))),
        ("file", "Please upload your CV.", ()),
    )),
    ("Frontend Developer", "Engineering", "£50,000 - £65,000", (
        ("video", "Walk us through a user interface you built recently.", ()),
        ("multiple_choice", "Which HTTP status means a resource was created?", (
            ("200", False), ("201", True), ("204", False), ("302", False))),
        ("audio", "How do you make a page accessible to screen-reader users?", ()),
    )),
    ("Sales Development Representative", "Sales", "£28,000 + commission", (
        ("video", "Sell us the product you use most every day.", ()),
        ("audio", "How do you handle rejection on a cold call?", ()),
        ("multiple_choice", "What do you think is the most important skill in sales?", (
            ("Communication", False), ("Teamwork", False), ("Product knowledge", False),
            ("Customer service", True))),
    )),
    ("Account Executive", "Sales", "£45,000 + OTE", (
        ("video", "Describe the largest deal you have closed and how.", ()),
        ("text", "How do you build a pipeline for a new territory?", ()),
        ("rtw", "Please confirm your right to work in the UK.", ()),
    )),
    ("Customer Support Advisor", "Customer Support", "£24,000", (
        ("audio", "Tell us about a time you turned an unhappy customer around.", ()),
        ("video", "Why do you want to work in customer support?", ()),
        ("multiple_choice", "A customer is angry about a late delivery. What do you do first?", (
            ("Offer a refund straight away", False), ("Listen and acknowledge the problem", True),
            ("Transfer them to a manager", False))),
        ("idv", "Please verify your identity.", ()),
    )),
    ("Warehouse Operative", "Operations", "£11.90 per hour", (
        ("video", "Tell us about your experience in a warehouse or similar role.", ()),
        ("checkboxes", "Which shifts can you work?", (
            ("Early", None), ("Late", None), ("Night", None), ("Weekend", None))),
        ("rtw", "Please confirm your right to work in the UK.", ()),
    )),
    ("Care Assistant", "Operations", "£12.50 per hour", (
        ("video", "Why do you want to work in care?", ()),
        ("text", "Describe how you would support a resident who is feeling anxious.", ()),
        ("dbs", "Please complete your DBS check.", ()),
    )),
    ("Nursing Associate", "Operations", "£27,000", (
        ("video", "Tell us about a clinical situation where you had to act quickly.", ()),
        ("dbs_rtw", "Please complete your DBS and right-to-work check.", ()),
        ("file", "Please upload your NMC registration.", ()),
    )),
    ("Graduate Analyst", "Graduate Programme", "£32,000", (
        ("video", "What attracted you to our graduate programme?", ()),
        ("text", "Tell us about a piece of analysis that changed a decision.", ()),
        ("multiple_choice", "Which chart best shows change over time?", (
            ("Pie chart", False), ("Line chart", True), ("Scatter plot", False))),
    )),
)  # fmt: skip
CRITERIA = (
    ("Communication skills", "How effectively the candidate communicates"),
    ("Relevant experience", "Depth and relevance of previous experience"),
    ("Problem solving", "Structure and quality of reasoning"),
)
CATEGORIES = (
    "Design and Product", "Development", "IT and Software", "Sales", "Engineering",
    "Software Engineering", "Software Development",
)  # fmt: skip
INTERVIEW_TEMPLATES = (
    ("Sales Assistant Interview", "Sales", True),
    ("Software Engineer", "Software Engineering", True),
    ("Product Designer", "Design and Product", False),
    ("IT Support Technician", "IT and Software", False),
    ("Field Engineer", "Engineering", False),
)
INDUSTRIES = ("IT", "Retail", "Healthcare", "Logistics", "Financial Services")
IDV_COUNTRIES = (
    ("AFG", "Afghanistan"), ("ALB", "Albania"), ("DZA", "Algeria"), ("AND", "Andorra"),
    ("AGO", "Angola"), ("ARG", "Argentina"), ("ARM", "Armenia"), ("AUS", "Australia"),
    ("AUT", "Austria"), ("AZE", "Azerbaijan"), ("BHS", "Bahamas"), ("BHR", "Bahrain"),
    ("BGD", "Bangladesh"), ("BRB", "Barbados"), ("BLR", "Belarus"), ("BEL", "Belgium"),
    ("BLZ", "Belize"), ("BEN", "Benin"), ("BTN", "Bhutan"), ("BOL", "Bolivia"),
    ("BIH", "Bosnia and Herzegovina"), ("BWA", "Botswana"), ("BRA", "Brazil"),
    ("BRN", "Brunei Darussalam"), ("BGR", "Bulgaria"), ("KHM", "Cambodia"), ("CMR", "Cameroon"),
    ("CAN", "Canada"), ("CHL", "Chile"), ("CHN", "China"), ("COL", "Colombia"),
    ("CRI", "Costa Rica"), ("HRV", "Croatia"), ("CUB", "Cuba"), ("CYP", "Cyprus"),
    ("CZE", "Czechia"), ("DNK", "Denmark"), ("DOM", "Dominican Republic"), ("ECU", "Ecuador"),
    ("EGY", "Egypt"), ("SLV", "El Salvador"), ("EST", "Estonia"), ("ETH", "Ethiopia"),
    ("FJI", "Fiji"), ("FIN", "Finland"), ("FRA", "France"), ("GEO", "Georgia"),
    ("DEU", "Germany"), ("GHA", "Ghana"), ("GIB", "Gibraltar"), ("GRC", "Greece"),
    ("GTM", "Guatemala"), ("GGY", "Guernsey"), ("HND", "Honduras"), ("HKG", "Hong Kong"),
    ("HUN", "Hungary"), ("ISL", "Iceland"), ("IND", "India"), ("IDN", "Indonesia"),
    ("IRQ", "Iraq"), ("IRL", "Ireland"), ("IMN", "Isle of Man"), ("ISR", "Israel"),
    ("ITA", "Italy"), ("JAM", "Jamaica"), ("JPN", "Japan"), ("JEY", "Jersey"),
    ("JOR", "Jordan"), ("KAZ", "Kazakhstan"), ("KEN", "Kenya"), ("KOR", "Korea, Republic of"),
    ("KWT", "Kuwait"), ("LVA", "Latvia"), ("LBN", "Lebanon"), ("LIE", "Liechtenstein"),
    ("LTU", "Lithuania"), ("LUX", "Luxembourg"), ("MYS", "Malaysia"), ("MDV", "Maldives"),
    ("MLT", "Malta"), ("MUS", "Mauritius"), ("MEX", "Mexico"), ("MDA", "Moldova"),
    ("MCO", "Monaco"), ("MNG", "Mongolia"), ("MNE", "Montenegro"), ("MAR", "Morocco"),
    ("MOZ", "Mozambique"), ("NAM", "Namibia"), ("NPL", "Nepal"), ("NLD", "Netherlands"),
    ("NZL", "New Zealand"), ("NGA", "Nigeria"), ("MKD", "North Macedonia"), ("NOR", "Norway"),
    ("OMN", "Oman"), ("PAK", "Pakistan"), ("PAN", "Panama"), ("PRY", "Paraguay"),
    ("PER", "Peru"), ("PHL", "Philippines"), ("POL", "Poland"), ("PRT", "Portugal"),
    ("QAT", "Qatar"), ("ROU", "Romania"), ("RWA", "Rwanda"), ("SAU", "Saudi Arabia"),
    ("SEN", "Senegal"), ("SRB", "Serbia"), ("SGP", "Singapore"), ("SVK", "Slovakia"),
    ("SVN", "Slovenia"), ("ZAF", "South Africa"), ("ESP", "Spain"), ("LKA", "Sri Lanka"),
    ("SWE", "Sweden"), ("CHE", "Switzerland"), ("TWN", "Taiwan"), ("TZA", "Tanzania"),
    ("THA", "Thailand"), ("TTO", "Trinidad and Tobago"), ("TUN", "Tunisia"), ("TUR", "Türkiye"),
    ("UGA", "Uganda"), ("UKR", "Ukraine"), ("ARE", "United Arab Emirates"),
    ("GBR", "United Kingdom"), ("USA", "United States"), ("URY", "Uruguay"),
    ("UZB", "Uzbekistan"), ("VNM", "Viet Nam"), ("ZMB", "Zambia"), ("ZWE", "Zimbabwe"),
)  # fmt: skip
