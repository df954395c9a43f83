package main

// The kinds of copy error the corpus holds: each entry's slip changes one
// thing of its kind.
const (
	kindNumber  = "number"  // a number or price: $29 → $39, 15% → 50%
	kindDate    = "date"    // a day, date or time: Friday → Sunday, 9 am → 5 am
	kindName    = "name"    // a brand or person's name: Polar → Solar
	kindProduct = "product" // the product or another noun: serum → cream
	kindClaim   = "claim"   // a claim word: free, new, no, only, best
)

var kinds = []string{kindNumber, kindDate, kindName, kindProduct, kindClaim}

// entry is one voice-over line as a copywriter writes it (digits, symbols
// and all: the bench normalizes it as the product does), and the same line
// with one realistic copy error: a word or number swapped for a near
// neighbour, the kind of slip a proofreader misses.
type entry struct {
	kind   string
	script string
	slip   string
}

// corpus holds English ad sentences written for this benchmark (none is
// taken from the tests' scripts), 13 of each kind. An entry's neighbours
// in the corpus are its second sentence in omission trials and its extra
// sentence in insertion trials (see main.go).
var corpus = []entry{
	// Numbers and prices.
	{kindNumber, "The Aurora blender is only $29 this week.", "The Aurora blender is only $39 this week."},
	{kindNumber, "Get 15% off every order over $50.", "Get 50% off every order over $50."},
	{kindNumber, "Our family plan costs just $13 a month.", "Our family plan costs just $30 a month."},
	{kindNumber, "Buy two pizzas and get the third one for $5.", "Buy two pizzas and get the third one for $9."},
	{kindNumber, "Members save 30% on all garden tools this spring.", "Members save 40% on all garden tools this spring."},
	{kindNumber, "These earbuds play 40 hours of music on a single charge.", "These earbuds play 14 hours of music on a single charge."},
	{kindNumber, "More than 70,000 drivers trust our roadside help.", "More than 17,000 drivers trust our roadside help."},
	{kindNumber, "Lunch specials start at $8.99 every weekday.", "Lunch specials start at $6.99 every weekday."},
	{kindNumber, "The starter kit includes 12 colored pencils and a sketchbook.", "The starter kit includes 20 colored pencils and a sketchbook."},
	{kindNumber, "Rent any movie tonight for just $4 with the code.", "Rent any movie tonight for just $14 with the code."},
	{kindNumber, "Our mattress comes with a 100 night home trial.", "Our mattress comes with a 90 night home trial."},
	{kindNumber, "Save $60 when you trade in your old phone.", "Save $16 when you trade in your old phone."},
	{kindNumber, "Kids under 6 eat for half price at our diner.", "Kids under 8 eat for half price at our diner."},

	// Days, dates and times.
	{kindDate, "The spring sale ends this Friday at midnight.", "The spring sale ends this Sunday at midnight."},
	{kindDate, "Our doors open at 9 am on Saturday.", "Our doors open at 5 am on Saturday."},
	{kindDate, "Order by December 20th for delivery before Christmas.", "Order by December 28th for delivery before Christmas."},
	{kindDate, "The summer menu arrives in our cafes on March 3rd.", "The summer menu arrives in our cafes on May 3rd."},
	{kindDate, "Happy hour runs from 4 to 7 pm on weekdays.", "Happy hour runs from 4 to 9 pm on weekdays."},
	{kindDate, "Registration closes on Monday, so sign up today.", "Registration closes on Sunday, so sign up today."},
	{kindDate, "Concert tickets go on sale Thursday morning.", "Concert tickets go on sale Tuesday morning."},
	{kindDate, "The outlet store is open until 8 pm every night.", "The outlet store is open until 6 pm every night."},
	{kindDate, "Our anniversary sale starts on the 1st of June.", "Our anniversary sale starts on the 1st of July."},
	{kindDate, "This offer is valid through the end of August.", "This offer is valid through the end of April."},
	{kindDate, "Book before 11:30 am to get same day service.", "Book before 10:30 am to get same day service."},
	{kindDate, "The food festival returns to the city park next weekend.", "The food festival returns to the city park this weekend."},
	{kindDate, "Our pharmacy is open Monday through Saturday.", "Our pharmacy is open Monday through Friday."},

	// Brand and person names.
	{kindName, "Stay cool all summer with the Polar Breeze fan.", "Stay cool all summer with the Solar Breeze fan."},
	{kindName, "Fuel your morning with a bowl of Sunrise Oats.", "Fuel your morning with a bowl of Sunshine Oats."},
	{kindName, "Bright Smile toothpaste whitens your teeth in two weeks.", "Pure Smile toothpaste whitens your teeth in two weeks."},
	{kindName, "Call Miller and Sons for plumbing you can trust.", "Call Fuller and Sons for plumbing you can trust."},
	{kindName, "Book your next family trip with Skyway Travel.", "Book your next family trip with Skyline Travel."},
	{kindName, "Nova Bank gives every student a checking account.", "Noble Bank gives every student a checking account."},
	{kindName, "Treat yourself to a latte at Maple Street Coffee.", "Treat yourself to a latte at Marble Street Coffee."},
	{kindName, "Drive home the Vega hatchback this spring.", "Drive home the Vesta hatchback this spring."},
	{kindName, "Greenfield Farms delivers organic eggs to your door.", "Greenwood Farms delivers organic eggs to your door."},
	{kindName, "Ask your pharmacist for Calmex allergy relief.", "Ask your pharmacist for Calmax allergy relief."},
	{kindName, "Lucas Carter hosts the morning show on City Radio.", "Lucas Parker hosts the morning show on City Radio."},
	{kindName, "Shop the winter collection at Harper and Lane.", "Shop the winter collection at Hopper and Lane."},
	{kindName, "Brightway Insurance protects what matters most to you.", "Brightline Insurance protects what matters most to you."},

	// Products and other nouns.
	{kindProduct, "Our vitamin serum brightens tired skin overnight.", "Our vitamin cream brightens tired skin overnight."},
	{kindProduct, "This waterproof jacket folds into its own pocket.", "This waterproof blanket folds into its own pocket."},
	{kindProduct, "Our cordless vacuum comes with two spare batteries.", "Our cordless vacuum comes with two spare filters."},
	{kindProduct, "Every box includes a recipe card and fresh spices.", "Every box includes a recipe card and fresh sauces."},
	{kindProduct, "Upgrade to our leather sofa for extra comfort.", "Upgrade to our leather chair for extra comfort."},
	{kindProduct, "The smart thermostat learns your schedule in a week.", "The smart speaker learns your schedule in a week."},
	{kindProduct, "Try our grilled chicken sandwich with sweet potato fries.", "Try our grilled chicken salad with sweet potato fries."},
	{kindProduct, "These running shoes are made from recycled bottles.", "These running shorts are made from recycled bottles."},
	{kindProduct, "Protect your floors with our washable cotton rugs.", "Protect your floors with our washable cotton mats."},
	{kindProduct, "Pick up a bouquet of roses for someone you love.", "Pick up a bouquet of tulips for someone you love."},
	{kindProduct, "The kitchen set includes a pan, a pot and a kettle.", "The kitchen set includes a pan, a pot and a ladle."},
	{kindProduct, "Our laptop bag has a padded pocket for your charger.", "Our laptop case has a padded pocket for your charger."},
	{kindProduct, "Keep your coffee hot for hours with this steel mug.", "Keep your coffee hot for hours with this steel bottle."},

	// Claim words.
	{kindClaim, "Enjoy free shipping on every order this month.", "Enjoy fast shipping on every order this month."},
	{kindClaim, "Our lightest stroller is now in stores.", "Our lightest stroller is new in stores."},
	{kindClaim, "All our sauces are made with no added sugar.", "All our sauces are made with low added sugar."},
	{kindClaim, "This is the best deal of the whole season.", "This is the last deal of the whole season."},
	{kindClaim, "Only members get early access to the sale.", "All members get early access to the sale."},
	{kindClaim, "Every cleaner we sell is certified organic.", "Every cleaner we sell is certified natural."},
	{kindClaim, "Enjoy unlimited data with the premium plan.", "Enjoy limited data with the premium plan."},
	{kindClaim, "Each watch comes with a lifetime warranty.", "Each watch comes with a limited warranty."},
	{kindClaim, "This is the lowest price we have ever offered.", "This is the lower price we have ever offered."},
	{kindClaim, "Our cotton sheets stay soft and never shrink.", "Our cotton sheets stay soft and rarely shrink."},
	{kindClaim, "There is no booking fee on any flight.", "There is a booking fee on any flight."},
	{kindClaim, "Our fastest router ever is finally here.", "Our faster router ever is finally here."},
	{kindClaim, "Our original recipe has not changed in 50 years.", "Our original recipe has now changed in 50 years."},
}
